using System.Diagnostics;
using System.Globalization;
using Orchestrator.TestSupport;
using Xunit.Abstractions;

namespace Orchestrator.NodeAgent.Tests.Integration;

/// <summary>
/// <c>kubectl exec / attach / cp / port-forward</c> against a real node and engine, with the
/// machine's kubectl (its dispatcher picks 1.30 for this server: WebSocket v5 for exec, SPDY for
/// port-forward) and kubectl 1.32 (WebSocket for both, port-forward as SPDY tunnelled in it).
/// </summary>
public sealed class PodStreamingTests(AgentNodeFixture fixture, ITestOutputHelper output) : IClassFixture<AgentNodeFixture>
{
    private const string Kubectl132 = "/usr/lib/google-cloud-sdk/bin/kubectl.1.32";

    private static IEnumerable<Kubectl> Clients(AgentNode node)
    {
        yield return node.Kubectl;
        if (File.Exists(Kubectl132)) yield return new Kubectl(node.Node.Server, binary: Kubectl132);
    }

    private static string WebPod(string name) => $$"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {{name}}
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - name: web
            image: orchestrator/busybox:v2
            command: ["sh", "-c", "echo started; i=0; while true; do echo tick-$i; i=$((i+1)); sleep 0.5; done & httpd -f -p 80 -h /www"]
        """;

    private async Task<AgentNode> StartWithPodAsync(string pod)
    {
        var node = fixture.Agent;
        await node.CreateBoundPodAsync(pod, WebPod(pod));
        await node.WaitForPodAsync(pod, p => AgentNode.ContainerStatus(p)?["ready"]?.GetValue<bool>() == true);
        return node;
    }

    [DockerFact]
    public async Task Exec_prints_the_output_and_returns_the_exit_code_as_kubectl_reports_it()
    {
        var node = await StartWithPodAsync("exec-target");
        foreach (var kubectl in Clients(node))
        {
            var failing = await kubectl.RunAsync("exec exec-target -- sh -c 'echo out; echo err >&2; exit 3'");
            Assert.Equal(3, failing.ExitCode);
            Assert.Equal("out\n", failing.Stdout);
            Assert.Contains("err\n", failing.Stderr, StringComparison.Ordinal);
            Assert.Contains("command terminated with exit code 3", failing.Stderr, StringComparison.Ordinal);

            var ok = (await kubectl.RunAsync("exec exec-target -- echo hello")).EnsureSuccess();
            Assert.Equal("hello\n", ok.Stdout);

            // stdin, closed at its end (v5's close signal): cat ends and exec with it.
            var piped = (await kubectl.RunAsync("exec -i exec-target -- cat", stdin: "line one\nline two\n")).EnsureSuccess();
            Assert.Equal("line one\nline two\n", piped.Stdout);

            var missing = await kubectl.RunAsync("exec exec-target -- no-such-command");
            Assert.Equal(126, missing.ExitCode);
            Assert.Contains("no-such-command", missing.Stdout + missing.Stderr, StringComparison.Ordinal); // the engine writes it on the exec's stdout

            var wrongContainer = await kubectl.RunAsync("exec exec-target -c nope -- true");
            Assert.NotEqual(0, wrongContainer.ExitCode);
            Assert.Contains("container nope is not valid for pod exec-target", wrongContainer.Stderr, StringComparison.Ordinal);
            output.WriteLine($"{kubectl.Binary}: exit codes 3, 0, 126; stdin piped");
        }
    }

    [DockerFact]
    public async Task Interactive_exec_under_a_pseudo_terminal_runs_a_shell_of_the_terminals_size()
    {
        var node = await StartWithPodAsync("shell-target");
        foreach (var kubectl in Clients(node))
        {
            // script gives kubectl a terminal; the shell sees its size (sent on the resize channel).
            var command = $"stty cols 123 rows 45; {kubectl.Binary} --server {node.Node.Server} exec -it shell-target -- sh";
            var start = new ProcessStartInfo("script", ["-qec", command, "/dev/null"])
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var script = Process.Start(start)!;
            await script.StandardInput.WriteAsync("stty size\necho answer-$((6*7))\nexit 5\n");
            script.StandardInput.Close();
            var text = script.StandardOutput.ReadToEndAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await script.WaitForExitAsync(cts.Token);
            var seen = await text;
            Assert.Contains("45 123", seen, StringComparison.Ordinal);
            Assert.Contains("answer-42", seen, StringComparison.Ordinal);
            Assert.Equal(5, script.ExitCode);
            output.WriteLine($"{kubectl.Binary}: interactive shell ok");
        }
    }

    [DockerFact]
    public async Task Cp_round_trips_a_file_both_ways()
    {
        var node = await StartWithPodAsync("cp-target");
        var folder = Directory.CreateTempSubdirectory("orchestrator-cp-").FullName;
        var original = Path.Combine(folder, "in.bin");
        var content = string.Join('\n', Enumerable.Range(0, 20_000).Select(i => $"line {i} {Guid.NewGuid()}"));
        await File.WriteAllTextAsync(original, content);
        foreach (var kubectl in Clients(node))
        {
            (await kubectl.RunAsync($"cp {original} cp-target:/tmp/copied.txt")).EnsureSuccess();
            var size = (await kubectl.RunAsync("exec cp-target -- wc -c /tmp/copied.txt")).EnsureSuccess().Stdout;
            Assert.StartsWith(new FileInfo(original).Length.ToString(CultureInfo.InvariantCulture), size.Trim(), StringComparison.Ordinal);
            var back = Path.Combine(folder, "back-" + Path.GetFileName(kubectl.Binary));
            (await kubectl.RunAsync($"cp cp-target:/tmp/copied.txt {back}")).EnsureSuccess();
            Assert.Equal(content, await File.ReadAllTextAsync(back));
            output.WriteLine($"{kubectl.Binary}: {content.Length} bytes there and back");
        }
        Directory.Delete(folder, true);
    }

    [DockerFact]
    public async Task Attach_streams_the_containers_output()
    {
        var node = await StartWithPodAsync("attach-target");
        foreach (var kubectl in Clients(node))
        {
            using var attach = kubectl.Watch("attach attach-target");
            var first = await attach.WaitForLine(TimeSpan.FromSeconds(30), "tick-");
            var n = int.Parse(first["tick-".Length..], CultureInfo.InvariantCulture);
            await attach.WaitForLine(TimeSpan.FromSeconds(30), $"tick-{n + 2}");
        }
    }

    [DockerFact]
    public async Task Port_forward_serves_the_pods_page_on_loopback_to_several_connections_and_names_a_closed_port()
    {
        var node = await StartWithPodAsync("forward-target");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        foreach (var kubectl in Clients(node))
        {
            int web = FreePorts.Next(), other = FreePorts.Next();
            using (var forward = kubectl.Watch($"port-forward pod/forward-target {web}:80 {other}:80"))
            {
                await forward.WaitForLine(TimeSpan.FromSeconds(30), $"127.0.0.1:{other} -> 80");
                var pages = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
                    http.GetStringAsync(new Uri($"http://127.0.0.1:{(i % 2 == 0 ? web : other)}/"))));
                Assert.All(pages, page => Assert.Equal("hello from orchestrator/busybox\n", page));
            }

            var closed = FreePorts.Next();
            using var refused = kubectl.Watch($"port-forward pod/forward-target {closed}:81");
            await refused.WaitForLine(TimeSpan.FromSeconds(30), $"127.0.0.1:{closed} -> 81");
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.GetStringAsync(new Uri($"http://127.0.0.1:{closed}/")));
            var (code, stderr) = await refused.WaitForExitAsync(TimeSpan.FromSeconds(30)); // kubectl ends the forward on an error, as against Kubernetes
            Assert.NotEqual(0, code);
            Assert.Contains("error forwarding port 81 to pod default/forward-target", stderr, StringComparison.Ordinal);
            Assert.Contains("refused", stderr, StringComparison.OrdinalIgnoreCase);
            output.WriteLine($"{kubectl.Binary}: 6 pages through 2 ports; closed port: {stderr.Trim()}");
        }
    }
}
