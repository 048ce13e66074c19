using Orchestrator.Runtime;
using Orchestrator.TestSupport;
using Xunit.Abstractions;

namespace Orchestrator.Runtime.Tests;

public sealed class LogsAndExecTests(ITestOutputHelper output) : RuntimeTestBase(output)
{
    [DockerFact]
    public async Task Logs_keep_stdout_and_stderr_apart()
    {
        var sandbox = await RunSandboxAsync(NewPod());
        var id = await RunAsync(sandbox, "main", "sh", "-c", "echo oops >&2; for i in 1 2 3 4 5; do echo line$i; done; printf 'no newline'");
        await WaitForExitAsync(id);

        var all = await Runtime.GetLogsAsync(id, new LogOptions(), Ct).ToListAsync(Ct);
        Assert.Equal(["line1", "line2", "line3", "line4", "line5", "no newline"], all.Where(l => l.Stream == LogSource.Stdout).Select(l => l.Text));
        Assert.Equal("oops", Assert.Single(all, l => l.Stream == LogSource.Stderr).Text);
        Assert.All(all, l => Assert.Null(l.Timestamp));

        Assert.Empty(await Runtime.GetLogsAsync(id, new LogOptions(TailLines: 0), Ct).ToListAsync(Ct));
    }

    [DockerFact]
    public async Task Tail_returns_the_last_lines()
    {
        // stdout only: stdout and stderr are separate pipes, and the engine keeps the order within
        // each, not between them (seen under load: a line written to stderr first was logged last).
        var sandbox = await RunSandboxAsync(NewPod());
        var id = await RunAsync(sandbox, "main", "sh", "-c", "for i in 1 2 3 4 5; do echo line$i; done");
        await WaitForExitAsync(id);

        var tail = await Runtime.GetLogsAsync(id, new LogOptions(TailLines: 2), Ct).Select(l => l.Text).ToListAsync(Ct);

        Assert.Equal(["line4", "line5"], tail);
    }

    [DockerFact]
    public async Task Following_streams_lines_as_they_come_and_ends_when_the_container_stops()
    {
        var sandbox = await RunSandboxAsync(NewPod());
        var id = await RunAsync(sandbox, "main", "sh", "-c", "for i in 1 2 3 4 5; do echo tick$i; sleep 0.2; done");

        var lines = await Runtime.GetLogsAsync(id, new LogOptions(Follow: true, Timestamps: true), Ct).ToListAsync(Ct);

        Assert.Equal(["tick1", "tick2", "tick3", "tick4", "tick5"], lines.Select(l => l.Text));
        var stamps = lines.Select(l => l.Timestamp!.Value).ToList();
        Assert.Equal(stamps.Order(), stamps);
        Assert.True(stamps[^1] - stamps[0] > TimeSpan.FromMilliseconds(500), $"lines came {stamps[^1] - stamps[0]} apart");

        var since = await Runtime.GetLogsAsync(id, new LogOptions(Since: stamps[3]), Ct).Select(l => l.Text).ToListAsync(Ct);
        Assert.Equal(["tick4", "tick5"], since);
    }

    [DockerFact]
    public async Task Following_a_running_container_stops_when_cancelled()
    {
        var sandbox = await RunSandboxAsync(NewPod());
        var id = await RunAsync(sandbox, "main", "sh", "-c", "echo first; sleep 3600");
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var seen = new List<string>();

        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var line in Runtime.GetLogsAsync(id, new LogOptions(Follow: true), cancel.Token))
            {
                seen.Add(line.Text);
                watch.Restart();
                await cancel.CancelAsync();
            }
        });

        Assert.Equal(["first"], seen);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"cancellation took {watch.Elapsed}");
    }

    [DockerFact]
    public async Task Exec_returns_exit_code_and_both_outputs()
    {
        var sandbox = await RunSandboxAsync(NewPod());
        var id = await RunAsync(sandbox, "main", "sleep", "3600");

        var result = await Runtime.ExecAsync(id, ["sh", "-c", "echo out; echo err >&2; exit 3"], TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(new ExecResult(3, "out\n", "err\n", false), result);
        Assert.False(result.Succeeded);
        Assert.True((await Runtime.ExecAsync(id, ["true"], TimeSpan.FromSeconds(10), Ct)).Succeeded);
    }

    [DockerFact]
    public async Task Exec_of_a_command_that_does_not_exist_fails_with_the_engines_message()
    {
        var sandbox = await RunSandboxAsync(NewPod());
        var id = await RunAsync(sandbox, "main", "sleep", "3600");

        var result = await Runtime.ExecAsync(id, ["no-such-probe", "--check"], TimeSpan.FromSeconds(10), Ct);

        Output.WriteLine(result.ToString());
        Assert.False(result.Succeeded);
        Assert.False(result.TimedOut);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("no-such-probe", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [DockerFact]
    public async Task Exec_that_outlives_its_timeout_reports_a_timeout()
    {
        var sandbox = await RunSandboxAsync(NewPod());
        var id = await RunAsync(sandbox, "main", "sleep", "3600");

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = await Runtime.ExecAsync(id, ["sh", "-c", "echo started; sleep 30"], TimeSpan.FromMilliseconds(700), Ct);
        watch.Stop();

        Assert.True(result.TimedOut);
        Assert.Null(result.ExitCode);
        Assert.False(result.Succeeded);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(650), TimeSpan.FromSeconds(10));
    }

    [DockerFact]
    public async Task Exec_in_a_stopped_or_missing_container_is_a_typed_error()
    {
        var sandbox = await RunSandboxAsync(NewPod());
        var id = await RunAsync(sandbox, "main", "true");
        await WaitForExitAsync(id);

        var notRunning = await Assert.ThrowsAsync<ContainerRuntimeException>(() => Runtime.ExecAsync(id, ["true"], TimeSpan.FromSeconds(5), Ct));
        Assert.Equal(RuntimeErrorReasons.ContainerNotRunning, notRunning.Reason);
        Output.WriteLine(notRunning.Message);

        await Runtime.RemoveContainerAsync(id, Ct);
        await Assert.ThrowsAsync<ContainerNotFoundException>(() => Runtime.ExecAsync(id, ["true"], TimeSpan.FromSeconds(5), Ct));
        await Assert.ThrowsAsync<ContainerNotFoundException>(async () => await Runtime.GetLogsAsync(id, new LogOptions(), Ct).ToListAsync(Ct));
    }
}
