using Orchestrator.CommandHost;
using Orchestrator.CommandHost.Protocol;
using Orchestrator.Pbm.Tests.Host;

namespace Orchestrator.Pbm.Tests.Integration;

/// <summary>The real pbm binary against a host without Akka (the fake palette), for host-side events.</summary>
public sealed class PbmHostLifecycleTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_host_shutdown_ends_a_running_command_with_the_reason()
    {
        var palette = new FakePalette();
        var server = new CommandHostServer(new CommandHostSettings("127.0.0.1", 0, ""), [palette], "fake-node");
        await server.StartAsync();
        await using var pbm = PbmProcess.Start([$"127.0.0.1:{server.BoundEndpoint!.Port}", "fake", "wait"]);
        await pbm.WaitForLineAsync(line => line == "waiting", Timeout);

        await server.DisposeAsync();
        var result = await pbm.WaitForExitAsync(Timeout);

        Assert.True(result.ExitCode == ExitCodes.Cancelled, result.ToString());
        Assert.Contains("'fake wait' cancelled: the command host is shutting down", result.StandardError, StringComparison.Ordinal);
        Assert.True(palette.Cancelled.Task.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Json_output_is_printed_as_a_document()
    {
        await using var server = new CommandHostServer(new CommandHostSettings("127.0.0.1", 0, ""), [new FakePalette()], "fake-node");
        await server.StartAsync();

        var result = await PbmProcess.RunAsync([$"127.0.0.1:{server.BoundEndpoint!.Port}", "fake", "table", "--output=json"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("{\n  \"name\": \"a\",\n  \"count\": 1\n}", result.StandardOutput);
    }

    [Fact]
    public async Task A_failing_command_exits_1_with_the_reason()
    {
        await using var server = new CommandHostServer(new CommandHostSettings("127.0.0.1", 0, ""), [new FakePalette()], "fake-node");
        await server.StartAsync();

        var result = await PbmProcess.RunAsync([$"127.0.0.1:{server.BoundEndpoint!.Port}", "fake", "fail"]);

        Assert.True(result.ExitCode == ExitCodes.CommandFailed, result.ToString());
        Assert.Equal("pbm: 'fake fail' failed: the disk is on fire", result.StandardError);
    }
}
