using System.Text.Json.Nodes;
using Orchestrator.Domain.Pods;
using static Orchestrator.Domain.Tests.Resources.Objects;

namespace Orchestrator.Domain.Tests.Kinds;

/// <summary>The STATUS and RESTARTS columns of a pod with init containers, by the rules of Kubernetes' printPod.</summary>
public class PodPrinterTests
{
    private const string Done = """{"restartCount":0,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}}""";
    private const string Pending = """{"restartCount":0,"state":{"waiting":{"reason":"PodInitializing"}}}""";
    private const string AppWaiting = """{"restartCount":0,"ready":false,"state":{"waiting":{"reason":"PodInitializing"}}}""";

    private static JsonObject Pod(string inits, string apps, bool initialized = false, string phase = "Pending") => Json($$$"""
        {"metadata":{"name":"p"},
         "spec":{"initContainers":[{"name":"i1","image":"i"},{"name":"i2","image":"i"}],"containers":[{"name":"a","image":"i"}]},
         "status":{"phase":"{{{phase}}}","conditions":[{"type":"Initialized","status":"{{{(initialized ? "True" : "False")}}}"}],
                   "initContainerStatuses":{{{inits}}},"containerStatuses":{{{apps}}}}}
        """);

    [Theory]
    [InlineData($"[{Pending},{Pending}]", "Init:0/2")]
    [InlineData("""[{"restartCount":0,"state":{"running":{}}},""" + Pending + "]", "Init:0/2")]
    [InlineData($"[{Done},{Pending}]", "Init:1/2")]
    [InlineData($"[{Done}," + """{"restartCount":3,"state":{"waiting":{"reason":"CrashLoopBackOff"}}}]""", "Init:CrashLoopBackOff")]
    [InlineData($"[{Done}," + """{"restartCount":0,"state":{"terminated":{"exitCode":1,"reason":"Error"}}}]""", "Init:Error")]
    [InlineData("""[{"restartCount":0,"state":{"terminated":{"exitCode":2}}},""" + Pending + "]", "Init:ExitCode:2")]
    [InlineData("""[{"restartCount":0,"state":{"terminated":{"exitCode":137,"signal":9}}},""" + Pending + "]", "Init:Signal:9")]
    public void While_init_containers_run_the_status_names_the_first_one_not_done(string inits, string expected)
    {
        Assert.Equal(expected, PodPrinter.Print(Pod(inits, $"[{AppWaiting}]")).Status);
    }

    [Fact]
    public void Restarts_are_the_init_containers_while_initializing_then_the_app_containers()
    {
        var crashing = """[{"restartCount":2,"state":{"terminated":{"exitCode":0}}},{"restartCount":3,"state":{"waiting":{"reason":"CrashLoopBackOff"}}}]""";
        Assert.Equal(("Init:CrashLoopBackOff", 5L), PodPrinter.Print(Pod(crashing, """[{"restartCount":7,"state":{"waiting":{"reason":"PodInitializing"}}}]""")));

        var running = """[{"restartCount":1,"ready":true,"state":{"running":{}}}]""";
        Assert.Equal(("Running", 1L), PodPrinter.Print(Pod($"[{Done},{Done}]", running, initialized: true, phase: "Running")));
    }

    [Fact]
    public void Init_done_and_app_container_not_created_yet_is_PodInitializing()
    {
        Assert.Equal("PodInitializing", PodPrinter.Print(Pod($"[{Done},{Done}]", $"[{AppWaiting}]", initialized: true)).Status);
    }

    [Fact]
    public void A_completed_container_next_to_a_running_ready_one_is_Running_or_NotReady()
    {
        var apps = """[{"restartCount":0,"ready":true,"state":{"running":{}}},{"restartCount":0,"ready":false,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]""";
        var pod = Pod($"[{Done},{Done}]", apps, initialized: true, phase: "Running");
        Assert.Equal("NotReady", PodPrinter.Print(pod).Status);
        ((JsonArray)pod["status"]!["conditions"]!).Add(new JsonObject { ["type"] = "Ready", ["status"] = "True" });
        Assert.Equal("Running", PodPrinter.Print(pod).Status);
    }
}
