#include "adapter/app/commands.h"

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

namespace workwell::app {
namespace {

constexpr std::string_view kProgram = "workwell-gateway";

constexpr Command kCommands[] = {
    {"serve", "run the FHIR HTTP gateway until SIGINT or SIGTERM", ServeUsage, RunServe},
    {"check-config", "check a gateway config file and report every problem", CheckConfigUsage,
     RunCheckConfig},
    {"validate", "validate FHIR resources against the gateway's profiles", ValidateUsage, RunValidate},
    {"translate", "translate a source record (JSON, HL7 v2, CSV) into FHIR", TranslateUsage,
     RunTranslate},
    {"dead-letters", "list, show or requeue the messages delivery gave up on", DeadLettersUsage,
     RunDeadLetters},
};

void PrintHelp(std::ostream& out) {
  out << "usage: " << kProgram << " <command> [options]\n\ncommands:\n";
  size_t width = 4;
  for (const Command& c : kCommands) width = std::max(width, c.name.size());
  for (const Command& c : kCommands) {
    out << "  " << c.name << std::string(width - c.name.size() + 2, ' ') << c.summary << "\n";
  }
  out << "  help" << std::string(width - 4 + 2, ' ') << "show the usage of one command: " << kProgram
      << " help <command>\n\n"
      << "options:\n  --help, -h   show this help\n  --version    print the version\n";
}

const Command* FindCommand(std::string_view name) {
  for (const Command& c : kCommands) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

}  // namespace

std::span<const Command> CommandTable() { return kCommands; }

int RunMain(int argc, char** argv, std::ostream& out, std::ostream& err) {
  std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  if (args.empty()) {
    PrintHelp(err);
    return kExitUsage;
  }
  const std::string& first = args.front();
  if (first == "--help" || first == "-h") {
    PrintHelp(out);
    return kExitOk;
  }
  if (first == "--version") {
    out << kProgram << " " << WORKWELL_VERSION << "\n";
    return kExitOk;
  }
  if (first == "help") {
    if (args.size() == 1) {
      PrintHelp(out);
      return kExitOk;
    }
    const Command* c = FindCommand(args[1]);
    if (c == nullptr) {
      err << kProgram << ": unknown command '" << args[1] << "'\n";
      return kExitUsage;
    }
    out << c->usage();
    return kExitOk;
  }
  const Command* c = FindCommand(first);
  if (c == nullptr) {
    err << kProgram << ": unknown command '" << first << "' (see " << kProgram << " --help)\n";
    return kExitUsage;
  }
  const std::span<const std::string> rest(args.data() + 1, args.size() - 1);
  for (const std::string& a : rest) {
    if (a == "--help" || a == "-h") {
      out << c->usage();
      return kExitOk;
    }
  }
  return c->run(rest, out, err);
}

}  // namespace workwell::app
