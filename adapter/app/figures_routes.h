#pragma once
// GET /$icb-figures: an ICB's figures of fit note use and WorkWell routing, counted from its case
// Tasks (docs/API.md#icb-figures-adapterappfigures_routescc). An ICB client gets its own ICB's figures only; operators and
// auditors name the ICB; GP systems and WorkWell services are refused (403).

#include <memory>

#include "adapter/api/router.h"
#include "adapter/common/status.h"
#include "adapter/store/store.h"
#include "adapter/validation/validator.h"

namespace workwell::app {

// Registers the route over `store`; the answer is validated by `validator` before it goes out.
common::Status AddFiguresRoute(api::Router& router, std::shared_ptr<store::Store> store,
                               std::shared_ptr<const validation::Validator> validator);

}  // namespace workwell::app
