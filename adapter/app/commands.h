#pragma once
// The workwell-gateway command table: every subcommand with its one-line summary, its usage text
// and the function that runs it. Exit codes: 0 success, 1 the command ran and failed (bad config,
// cannot bind, invalid input), 2 usage error or command not available.

#include <iosfwd>
#include <span>
#include <string>
#include <string_view>

namespace workwell::app {

// Exit codes shared by all commands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Runs a subcommand with the arguments after its name; writes results to `out` and diagnostics
// to `err`; returns the process exit code.
using CommandFn = int (*)(std::span<const std::string> args, std::ostream& out, std::ostream& err);

// One entry of the command table.
struct Command {
  std::string_view name;     // "serve"
  std::string_view summary;  // one line for --help
  std::string_view (*usage)();  // full usage text for "help CMD" and "CMD --help"
  CommandFn run;
};

// All subcommands in the order --help lists them.
std::span<const Command> CommandTable();

// The entry point behind main(): dispatches argv to the command table, handles --help, -h,
// help [CMD] and --version.
int RunMain(int argc, char** argv, std::ostream& out, std::ostream& err);

// `serve`: runs the HTTP server until SIGINT or SIGTERM (serve_command.cc).
int RunServe(std::span<const std::string> args, std::ostream& out, std::ostream& err);
std::string_view ServeUsage();

// `check-config`: loads a config file strictly and reports every problem (serve_command.cc).
int RunCheckConfig(std::span<const std::string> args, std::ostream& out, std::ostream& err);
std::string_view CheckConfigUsage();

// `validate`: validates FHIR resources against the gateway's profiles (fhir_commands.cc).
int RunValidate(std::span<const std::string> args, std::ostream& out, std::ostream& err);
std::string_view ValidateUsage();

// `translate`: translates source records (JSON, HL7 v2, CSV) into FHIR (fhir_commands.cc).
int RunTranslate(std::span<const std::string> args, std::ostream& out, std::ostream& err);
std::string_view TranslateUsage();

// `dead-letters`: list, show and requeue dead-lettered outbox messages (dead_letter_command.cc).
int RunDeadLetters(std::span<const std::string> args, std::ostream& out, std::ostream& err);
std::string_view DeadLettersUsage();

}  // namespace workwell::app
