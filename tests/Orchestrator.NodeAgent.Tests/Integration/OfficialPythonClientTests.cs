using System.Diagnostics;
using Orchestrator.TestSupport;
using Xunit.Abstractions;

namespace Orchestrator.NodeAgent.Tests.Integration;

/// <summary>
/// The official Python client (Debian's python3-kubernetes, installed by scripts/setup.sh) runs its
/// basic flows against a real node: create/read/patch/delete, list with label and field selectors,
/// watch from a resourceVersion, logs, exec (output, stderr, exit status, stdin) and port-forward
/// (a page, and a closed port's error), all from <c>Python/test_official_python_client.py</c>.
/// </summary>
public sealed class OfficialPythonClientTests(AgentNodeFixture fixture, ITestOutputHelper output) : IClassFixture<AgentNodeFixture>
{
    private const string Python = "/usr/bin/python3";

    [DockerFact]
    public async Task The_python_clients_basic_flows_pass()
    {
        var missing = !File.Exists(Python) || !await PythonHasAsync("kubernetes") || !await PythonHasAsync("pytest");
        if (missing)
        {
            Assert.False(RealParts.Required, "python3-kubernetes and python3-pytest must be installed (scripts/setup.sh)");
            output.WriteLine("skipped: python3-kubernetes or python3-pytest is not installed");
            return;
        }
        var script = Path.Combine(AppContext.BaseDirectory, "Python", "test_official_python_client.py");
        var start = new ProcessStartInfo(Python, ["-m", "pytest", "-q", "-p", "no:cacheprovider", script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(script)!,
        };
        start.Environment["ORCHESTRATOR_SERVER"] = fixture.Agent.Node.Server;
        start.Environment["ORCHESTRATOR_NODE"] = fixture.Agent.NodeName;
        start.Environment["ORCHESTRATOR_NAMESPACE"] = "py-" + Guid.NewGuid().ToString("N")[..8];
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await process.WaitForExitAsync(cts.Token);
        output.WriteLine(await stdout);
        Assert.True(process.ExitCode == 0, $"pytest failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
    }

    private static async Task<bool> PythonHasAsync(string module)
    {
        using var process = Process.Start(new ProcessStartInfo(Python, ["-c", $"import {module}"]) { RedirectStandardError = true, UseShellExecute = false })!;
        await process.WaitForExitAsync();
        return process.ExitCode == 0;
    }
}
