using Orchestrator.Pbm.Tests.Integration;
using Xunit.Abstractions;

namespace Orchestrator.Pbm.Tests.Resources;

/// <summary><c>pod logs [-f]</c> through the real pbm, the node's API and its node agent.</summary>
[Collection(OrchestratorNodeGroup.Name)]
public sealed class PodLogsTests(OrchestratorNode fixture, ITestOutputHelper output) : PbmAgainstNode(fixture, output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Logs_print_and_follow_a_running_containers_output()
    {
        var ns = UniqueNamespace("logs");
        await ApplyAsync(Namespace(ns) + $$"""

            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: talker, namespace: {{ns}}}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: orchestrator/busybox:latest
                imagePullPolicy: Never
                command: ["sh", "-c", "echo hello-from-pbm; sleep 3600"]
            """);
        await using (var watch = StartPbm("pod", "list", "-n", ns, "-w"))
        {
            await watch.WaitForLineAsync(line => line.Contains(" talker ", StringComparison.Ordinal) && line.Contains(" Running ", StringComparison.Ordinal)
                                                 || line.StartsWith("talker ", StringComparison.Ordinal) && line.Contains(" Running ", StringComparison.Ordinal), Timeout);
        }

        var logs = await PbmOk("pod", "logs", "talker", "-n", ns);
        Assert.Contains("hello-from-pbm", Lines(logs.StandardOutput));

        await using var follow = StartPbm("pod", "logs", "talker", "-n", ns, "-f");
        await follow.WaitForLineAsync(line => line == "hello-from-pbm", Timeout);
        await follow.InterruptAsync();
        Assert.Equal(130, (await follow.WaitForExitAsync(Timeout)).ExitCode);

        await PbmOk("pod", "delete", "talker", "-n", ns, "--grace-period", "0");
    }

    [Fact]
    public async Task Logs_of_a_pod_without_a_node_are_a_clear_error()
    {
        var ns = UniqueNamespace("nolog");
        await ApplyAsync(Namespace(ns) + $$"""

            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: homeless, namespace: {{ns}}}
            spec:
              nodeSelector: {pbm-test: nowhere}
              containers:
              - {name: main, image: orchestrator/busybox:latest}
            """);

        var result = await Pbm("pod", "logs", "homeless", "-n", ns);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Error from server (BadRequest): pod homeless does not have a host assigned", result.StandardError, StringComparison.Ordinal);
        var missing = await Pbm("pod", "logs", "nobody", "-n", ns);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("Error from server (NotFound): pods \"nobody\" not found", missing.StandardError, StringComparison.Ordinal);
    }
}
