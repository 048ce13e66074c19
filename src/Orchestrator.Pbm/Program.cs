using Orchestrator.Pbm;
using Orchestrator.Pbm.Rendering;

// pbm [host:port] <palette> <command> [-switch value | --long-switch value]...
// Exit codes: 0 success, 1 command failed, 2 usage error, 3 host unavailable, 4 not authorized, 130 cancelled.
return await new PbmApplication(PbmConsole.System()).RunAsync(args);
