using System.Diagnostics;
using Orchestrator.Runtime;
using Orchestrator.TestSupport;
using Xunit.Abstractions;

namespace Orchestrator.Runtime.Tests;

public sealed class PodNetworkTests(ITestOutputHelper output) : RuntimeTestBase(output)
{
    [DockerFact]
    public async Task Containers_of_a_pod_reach_each_other_on_localhost_and_the_host_reaches_the_pod_ip()
    {
        var pod = NewPod();
        var watch = Stopwatch.StartNew();
        var sandbox = await RunSandboxAsync(pod);
        var sandboxTime = watch.Elapsed;

        watch.Restart();
        var server = await Runtime.CreateContainerAsync(sandbox, new ContainerConfig("server", Busybox, Command: ["httpd", "-f", "-p", "8080", "-h", "/www"]), Ct);
        var createTime = watch.Elapsed;
        await Runtime.StartContainerAsync(server, Ct);
        var createStartTime = watch.Elapsed;
        var client = await RunAsync(sandbox, "client", "sleep", "3600");
        Output.WriteLine($"sandbox create+start+inspect {sandboxTime.TotalMilliseconds:F0} ms; app create {createTime.TotalMilliseconds:F0} ms, create+start {createStartTime.TotalMilliseconds:F0} ms");

        var fetched = await EventuallyAsync(
            async () => await Runtime.ExecAsync(client, ["wget", "-q", "-O", "-", "http://127.0.0.1:8080/"], TimeSpan.FromSeconds(5), Ct) is { Succeeded: true } r ? r : null,
            "wget from the client container to reach httpd on localhost");
        Assert.Equal("hello from orchestrator/busybox", fetched.Stdout.Trim());

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var body = await EventuallyAsync(() => http.GetStringAsync(new Uri($"http://{sandbox.PodIp}:8080/"), Ct)!, "the pod IP to answer from the host");
        Assert.Equal("hello from orchestrator/busybox", body.Trim());

        var details = await Runtime.InspectContainerAsync(server, Ct);
        Assert.Equal($"container:{sandbox.Id}", details.NetworkMode);
        Assert.True(details.Init);
        Assert.Null(details.Status.IpAddress);
    }

    [DockerFact]
    public async Task Each_node_puts_its_pods_on_a_network_of_its_own_that_the_other_nodes_pods_cannot_reach()
    {
        // A pool of its own, so the test's /24s do not meet those of nodes other tests run.
        var pool = System.Net.IPNetwork.Parse("10.250.0.0/16");
        var otherNode = NodeName + "-b";
        using var own = new DockerContainerRuntime(EngineOptions(NodeName).WithOwnPodNetwork(pool));
        using var other = new DockerContainerRuntime(EngineOptions(otherNode).WithOwnPodNetwork(pool));
        try
        {
            var a = await own.RunPodSandboxAsync(new PodSandboxConfig(NewPod("a"), []), Ct);
            var b = await other.RunPodSandboxAsync(new PodSandboxConfig(NewPod("b"), []), Ct);
            var networkA = await own.GetPodNetworkAsync(Ct);
            var networkB = await other.GetPodNetworkAsync(Ct);
            Assert.Equal(PodNetwork.NameFor(NodeName), networkA.Name);
            Assert.NotEqual(networkA.Subnet, networkB.Subnet);
            Assert.True(networkA.Subnet.Contains(System.Net.IPAddress.Parse(a.PodIp)), $"{a.PodIp} in {networkA.Subnet}");
            Assert.True(networkB.Subnet.Contains(System.Net.IPAddress.Parse(b.PodIp)), $"{b.PodIp} in {networkB.Subnet}");
            Assert.Equal(PodNetwork.FromUInt32(PodNetwork.ToUInt32(networkA.Subnet.BaseAddress) + 1), networkA.Gateway);
            Assert.StartsWith("br-", networkA.BridgeInterface, StringComparison.Ordinal);

            var serverB = await other.CreateContainerAsync(b, new ContainerConfig("server", Busybox, Command: ["httpd", "-f", "-p", "8080", "-h", "/www"]), Ct);
            await other.StartContainerAsync(serverB, Ct);
            var clientA = await own.CreateContainerAsync(a, new ContainerConfig("client", Busybox, Command: ["sleep", "3600"]), Ct);
            await own.StartContainerAsync(clientA, Ct);
            var clientB = await other.CreateContainerAsync(b, new ContainerConfig("client", Busybox, Command: ["sleep", "3600"]), Ct);
            await other.StartContainerAsync(clientB, Ct);

            // The server answers on its own network (so it is up), and not across the networks.
            await EventuallyAsync(
                async () => await other.ExecAsync(clientB, ["wget", "-q", "-O", "-", $"http://{b.PodIp}:8080/"], TimeSpan.FromSeconds(5), Ct) is { Succeeded: true } r ? r : null,
                "the server to answer its own pod");
            var across = await own.ExecAsync(clientA, ["wget", "-q", "-T", "2", "-O", "-", $"http://{b.PodIp}:8080/"], TimeSpan.FromSeconds(10), Ct);
            Assert.False(across.Succeeded, $"a pod of another node's network answered: {across.Stdout}");

            // The first call created the network; a runtime made again finds it as it is.
            using var again = new DockerContainerRuntime(EngineOptions(NodeName).WithOwnPodNetwork(pool));
            Assert.Equal(networkA, await again.GetPodNetworkAsync(Ct));
        }
        finally
        {
            foreach (var container in await other.ListContainersAsync(new Dictionary<string, string>(), CancellationToken.None))
                await other.RemoveContainerAsync(container.Id, CancellationToken.None);
            foreach (var container in await own.ListContainersAsync(new Dictionary<string, string>(), CancellationToken.None))
                await own.RemoveContainerAsync(container.Id, CancellationToken.None);
            await DockerNetworks.RemoveQuietlyAsync(PodNetwork.NameFor(NodeName));
            await DockerNetworks.RemoveQuietlyAsync(PodNetwork.NameFor(otherNode));
        }
    }

    [DockerFact]
    public async Task A_published_host_port_is_reachable_on_127_0_0_1()
    {
        var port = FreePorts.Next();
        var sandbox = await RunSandboxAsync(NewPod(), new PortMapping(8080, port, PortProtocol.Tcp, "127.0.0.1"));
        await RunAsync(sandbox, "server", "httpd", "-f", "-p", "8080", "-h", "/www");

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var body = await EventuallyAsync(() => http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/"), Ct)!, $"127.0.0.1:{port} to answer");
        Assert.Equal("hello from orchestrator/busybox", body.Trim());
    }

    [DockerFact]
    public async Task A_host_port_held_by_another_process_fails_the_sandbox_and_leaves_nothing_behind()
    {
        using var holder = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        holder.Start();
        var port = ((System.Net.IPEndPoint)holder.LocalEndpoint).Port;
        var pod = NewPod();

        var e = await Assert.ThrowsAsync<HostPortInUseException>(() => RunSandboxAsync(pod, new PortMapping(80, port, HostIp: "127.0.0.1")));

        Output.WriteLine(e.Message);
        Assert.Equal(RuntimeErrorReasons.CreatePodSandboxError, e.Reason);
        Assert.Equal(pod, e.Pod);
        Assert.Contains("address already in use", e.EngineMessage, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(await Runtime.ListContainersAsync(PodFilter(pod), Ct));
    }

    [DockerFact]
    public async Task A_host_port_held_by_another_pod_fails_the_second_sandbox()
    {
        var port = FreePorts.Next();
        await RunSandboxAsync(NewPod("first"), new PortMapping(80, port, HostIp: "127.0.0.1"));
        var second = NewPod("second");

        var e = await Assert.ThrowsAsync<HostPortInUseException>(() => RunSandboxAsync(second, new PortMapping(8080, port, HostIp: "127.0.0.1")));

        Output.WriteLine(e.Message);
        Assert.Contains("already allocated", e.EngineMessage, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(await Runtime.ListContainersAsync(PodFilter(second), Ct));
    }

    [DockerFact]
    public async Task Removing_a_sandbox_removes_the_pods_containers_and_is_idempotent()
    {
        var pod = NewPod();
        var other = NewPod("other");
        var sandbox = await RunSandboxAsync(pod);
        await RunAsync(sandbox, "a", "sleep", "3600");
        await Runtime.CreateContainerAsync(sandbox, new ContainerConfig("b", Busybox, Command: ["true"]), Ct);
        var otherSandbox = await RunSandboxAsync(other);
        Assert.Equal(3, (await Runtime.ListContainersAsync(PodFilter(pod), Ct)).Count);

        await Runtime.RemovePodSandboxAsync(sandbox.Id, Ct);
        await Runtime.RemovePodSandboxAsync(sandbox.Id, Ct);

        Assert.Empty(await Runtime.ListContainersAsync(PodFilter(pod), Ct));
        Assert.Equal(otherSandbox.Id, Assert.Single(await Runtime.ListContainersAsync(PodFilter(other), Ct)).Id);
    }

    [DockerFact]
    public async Task Removing_an_app_container_as_a_sandbox_is_refused()
    {
        var sandbox = await RunSandboxAsync(NewPod());
        var app = await Runtime.CreateContainerAsync(sandbox, new ContainerConfig("a", Busybox, Command: ["true"]), Ct);

        await Assert.ThrowsAsync<ArgumentException>(() => Runtime.RemovePodSandboxAsync(app, Ct));
    }
}
