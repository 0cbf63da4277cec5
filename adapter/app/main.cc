// workwell-gateway: the single gateway binary. See `workwell-gateway --help`.

#include <iostream>

#include "adapter/app/commands.h"

int main(int argc, char** argv) { return workwell::app::RunMain(argc, argv, std::cout, std::cerr); }
