using Orchestrator.Runtime;
using Orchestrator.TestSupport;
using Xunit.Abstractions;

namespace Orchestrator.NodeAgent.Tests.Integration;

/// <summary>
/// Two full members on one shared PostgreSQL journal form one cluster: each sees both nodes Ready
/// and the other's writes (list and watch), and the two node agents on the one Docker engine keep
/// to the containers labelled with their own node names.
/// </summary>
public sealed class MultiMemberClusterTests(ITestOutputHelper output)
{
    // Fast agent loops, so garbage collection demonstrably runs within the test.
    private const string FastAgent = """
        orchestrator.node-agent {
          gc-interval = 1s
          resync-interval = 1s
        }
        """;

    private static string PinnedPod(string name, string nodeName) => $$"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {{name}}
          labels: {app: pinned}
        spec:
          nodeName: {{nodeName}}
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: orchestrator/busybox:latest
            imagePullPolicy: IfNotPresent
            command: ["sh", "-c", "echo started-{{name}}; exec sleep 3600"]
        """;

    [ClusterFact]
    public async Task Two_members_form_one_cluster_share_writes_and_keep_to_their_own_containers()
    {
        await using var cluster = await TestCluster.CreateAsync();
        var a = cluster.Launch(seed: null, FastAgent);
        var b = cluster.Launch(seed: a, FastAgent);
        await TestCluster.WaitReadyAsync(a, b);

        // One cluster: the seed's leader moved the joining member Up (not two clusters on one journal).
        await cluster.WaitForAsync(() => Task.FromResult(a.Output.Contains($"Leader is moving node [{b.AkkaAddress}] to [Up]", StringComparison.Ordinal) ? "" : null),
            TimeSpan.FromSeconds(60), "member B to be Up in member A's cluster");

        // Both Node objects Ready, through either member's API.
        foreach (var member in new[] { a, b })
        {
            await cluster.WaitForAsync(async () =>
            {
                var nodes = (await TestCluster.KubectlFor(member).RunAsync("get nodes --no-headers")).EnsureSuccess().Stdout;
                return System.Text.RegularExpressions.Regex.IsMatch(nodes, $@"{a.NodeName}\s+Ready") && System.Text.RegularExpressions.Regex.IsMatch(nodes, $@"{b.NodeName}\s+Ready") ? nodes : null;
            }, TimeSpan.FromSeconds(90), $"both nodes Ready through {member.NodeName}'s API");
        }

        // A write on A is seen by a watch on B, and by a list on B.
        using (var watch = TestCluster.KubectlFor(b).Watch("get configmaps --watch --no-headers"))
        {
            // The watch is established once it shows B's own write.
            (await TestCluster.KubectlFor(b).RunAsync("create configmap written-on-b --from-literal=from=b")).EnsureSuccess();
            await watch.WaitForLine(TimeSpan.FromSeconds(30), "written-on-b");
            (await TestCluster.KubectlFor(a).RunAsync("create configmap written-on-a --from-literal=from=a")).EnsureSuccess();
            await watch.WaitForLine(TimeSpan.FromSeconds(30), "written-on-a");
        }
        var value = (await TestCluster.KubectlFor(b).RunAsync("get configmap written-on-a -o jsonpath={.data.from}")).EnsureSuccess().Stdout;
        Assert.Equal("a", value.Trim());

        // One pod on each node, both run; each agent sees only its own node's containers.
        (await TestCluster.KubectlFor(a).RunAsync($"apply -f {await cluster.WriteManifestAsync(PinnedPod("on-a", a.NodeName))}")).EnsureSuccess();
        (await TestCluster.KubectlFor(b).RunAsync($"apply -f {await cluster.WriteManifestAsync(PinnedPod("on-b", b.NodeName))}")).EnsureSuccess();
        await cluster.WaitForAsync(async () =>
        {
            var pods = await TestCluster.PodsAsync(a, "app=pinned");
            return pods.Count == 2 && pods.All(p => TestCluster.Phase(p) == "Running") ? pods : null;
        }, TimeSpan.FromSeconds(120), "both pinned pods Running");
        var onA = await TestCluster.ContainersOfNodeAsync(a.NodeName);
        var onB = await TestCluster.ContainersOfNodeAsync(b.NodeName);
        Assert.All(onA, c => Assert.Equal("on-a", c.Pod?.Name));
        Assert.All(onB, c => Assert.Equal("on-b", c.Pod?.Name));
        Assert.Equal(2, onA.Count(c => c.State == ContainerState.Running));
        Assert.Equal(2, onB.Count(c => c.State == ContainerState.Running));

        // An orphan on each node (a sandbox of a pod that does not exist): each agent removes its
        // own, which proves both garbage collections ran; neither touched the other's pod.
        var orphanA = await RunOrphanAsync(a.NodeName);
        var orphanB = await RunOrphanAsync(b.NodeName);
        await cluster.WaitForAsync(async () =>
        {
            var left = (await TestCluster.ContainersOfNodeAsync(a.NodeName)).Concat(await TestCluster.ContainersOfNodeAsync(b.NodeName));
            return left.Any(c => c.Id is not null && (c.Id == orphanA || c.Id == orphanB)) ? null : "";
        }, TimeSpan.FromSeconds(60), "each agent to remove its own orphan");
        var afterA = await TestCluster.ContainersOfNodeAsync(a.NodeName);
        var afterB = await TestCluster.ContainersOfNodeAsync(b.NodeName);
        Assert.Equal(onA.Select(c => c.Id).Order(), afterA.Select(c => c.Id).Order());
        Assert.Equal(onB.Select(c => c.Id).Order(), afterB.Select(c => c.Id).Order());
        Assert.All(afterA.Concat(afterB), c => Assert.Equal(ContainerState.Running, c.State));
        foreach (var pod in await TestCluster.PodsAsync(b, "app=pinned"))
            Assert.Equal(0, pod["status"]!["containerStatuses"]![0]!["restartCount"]!.GetValue<int>());
        output.WriteLine($"members {a.NodeName} and {b.NodeName}: one cluster, shared writes, containers kept apart");
    }

    [ClusterFact]
    public async Task Logs_of_a_pod_on_another_member_are_served_when_members_listen_with_TLS()
    {
        // Beyond loopback, each member serves its API over TLS with its own self-signed certificate
        // and requires a token: the member asked must fetch the logs from the member running the pod.
        const string token = "cluster-logs-token";
        var tls = new Dictionary<string, string> { ["ORCHESTRATOR_API_ADDRESS"] = "0.0.0.0", ["ORCHESTRATOR_TOKEN"] = token };
        await using var cluster = await TestCluster.CreateAsync();
        var a = cluster.Launch(seed: null, environment: tls);
        var b = cluster.Launch(seed: a, environment: tls);
        await TestCluster.WaitReadyAsync(token, a, b);
        Assert.True(a.Https && b.Https);
        var viaA = TestCluster.KubectlFor(a, token);
        await cluster.WaitForAsync(async () =>
        {
            var nodes = (await viaA.RunAsync("get nodes --no-headers")).EnsureSuccess().Stdout;
            return System.Text.RegularExpressions.Regex.IsMatch(nodes, $@"{b.NodeName}\s+Ready") ? nodes : null;
        }, TimeSpan.FromSeconds(90), "node B Ready through A");

        var pod = $$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: talker
            spec:
              nodeName: {{b.NodeName}}
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: orchestrator/busybox:latest
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "httpd -p 80 -h /www; echo hello-from-b; i=0; while true; do echo tick-$i; i=$((i+1)); sleep 0.2; done"]
            """;
        (await viaA.RunAsync($"apply -f {await cluster.WriteManifestAsync(pod)}")).EnsureSuccess();
        await cluster.WaitForAsync(async () =>
        {
            var pods = await TestCluster.PodsAsync(a, "", token);
            return pods.Any(p => p["metadata"]!["name"]!.GetValue<string>() == "talker" && TestCluster.Phase(p) == "Running") ? "" : null;
        }, TimeSpan.FromSeconds(120), "pod talker Running on B");

        var logs = await cluster.WaitForAsync(async () =>
        {
            var result = await viaA.RunAsync("logs talker");
            return result.ExitCode == 0 && result.Stdout.Contains("tick-3", StringComparison.Ordinal) ? result.Stdout : null;
        }, TimeSpan.FromSeconds(60), "the logs of talker through A");
        Assert.StartsWith("hello-from-b\n", logs, StringComparison.Ordinal);

        var tail = (await viaA.RunAsync("logs talker --tail 1")).EnsureSuccess().Stdout;
        Assert.Matches(@"^tick-\d+\n$", tail);

        using var follow = viaA.Watch("logs -f talker");
        var seen = await follow.WaitForLine(TimeSpan.FromSeconds(30), "tick-");
        var n = int.Parse(seen["tick-".Length..], System.Globalization.CultureInfo.InvariantCulture);
        await follow.WaitForLine(TimeSpan.FromSeconds(30), $"tick-{n + 10}");

        var missing = await viaA.RunAsync("logs talker -c nope");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("container nope is not valid for pod talker", missing.Stderr, StringComparison.Ordinal);
        output.WriteLine(logs.Split('\n').Length + " lines through A");

        // exec and port-forward through A reach B the same way (and through A's authentication).
        var exec = await viaA.RunAsync("exec talker -- sh -c 'echo from-b; exit 4'");
        Assert.Equal(4, exec.ExitCode);
        Assert.Equal("from-b\n", exec.Stdout);
        var piped = (await viaA.RunAsync("exec -i talker -- cat", stdin: "through A\n")).EnsureSuccess();
        Assert.Equal("through A\n", piped.Stdout);
        var local = FreePorts.Next();
        using (var forward = viaA.Watch($"port-forward pod/talker {local}:80"))
        {
            await forward.WaitForLine(TimeSpan.FromSeconds(30), $"127.0.0.1:{local} -> 80");
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
            var pages = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => http.GetStringAsync(new Uri($"http://127.0.0.1:{local}/"))));
            Assert.All(pages, page => Assert.Equal("hello from orchestrator/busybox\n", page));
        }
        var unauthenticated = await new Kubectl(a.Server, certificateAuthority: a.CertificateFile).RunAsync("exec talker -- true");
        Assert.NotEqual(0, unauthenticated.ExitCode);
    }

    /// <summary>
    /// Starts a sandbox of a pod that does not exist, labelled as <paramref name="nodeName"/>'s.
    /// The agent may remove it while it is still starting (its garbage collection is what the test
    /// waits for): then there is nothing left to wait for, and null says so.
    /// </summary>
    private static async Task<string?> RunOrphanAsync(string nodeName)
    {
        using var runtime = new DockerContainerRuntime(new DockerRuntimeOptions(nodeName));
        try
        {
            var sandbox = await runtime.RunPodSandboxAsync(new PodSandboxConfig(new PodIdentity("default", "orphan", Guid.NewGuid().ToString()), []), CancellationToken.None);
            return sandbox.Id;
        }
        catch (PodSandboxException)
        {
            return null;
        }
    }
}
