using System.Diagnostics;
using Orchestrator.Runtime;
using Orchestrator.TestSupport;
using Xunit.Abstractions;

namespace Orchestrator.Runtime.Tests;

public sealed class ContainerTests(ITestOutputHelper output) : RuntimeTestBase(output)
{
    [DockerFact]
    public async Task Command_args_env_and_working_dir_are_applied_the_Kubernetes_way()
    {
        var sandbox = await RunSandboxAsync(NewPod());
        var config = new ContainerConfig(
            "main",
            Busybox,
            Command: ["sh", "-c", "echo \"$GREETING $TARGET\"; pwd; echo \"$0 $1\""],
            Args: ["first", "second"],
            WorkingDir: "/www",
            Env: [new EnvVar("GREETING", "hello"), new EnvVar("TARGET", "nobody"), new EnvVar("TARGET", "world")]);

        var id = await Runtime.CreateContainerAsync(sandbox, config, Ct);
        await Runtime.StartContainerAsync(id, Ct);
        var exited = await WaitForExitAsync(id);
        var lines = await Runtime.GetLogsAsync(id, new LogOptions(), Ct).Select(l => l.Text).ToListAsync(Ct);

        Assert.Equal(["hello world", "/www", "first second"], lines);
        Assert.Equal(0, exited.Status.ExitCode);
        Assert.Equal(["sh", "-c", "echo \"$GREETING $TARGET\"; pwd; echo \"$0 $1\""], exited.Entrypoint);
        Assert.Equal(["first", "second"], exited.Cmd);
        Assert.Equal("/www", exited.WorkingDir);
        Assert.Contains("PATH=/bin", exited.Env);
    }

    [DockerFact]
    public async Task Args_alone_replace_the_images_cmd()
    {
        var sandbox = await RunSandboxAsync(NewPod());
        var id = await Runtime.CreateContainerAsync(sandbox, new ContainerConfig("main", Busybox, Args: ["echo", "from args"]), Ct);
        await Runtime.StartContainerAsync(id, Ct);
        await WaitForExitAsync(id);

        var line = await Runtime.GetLogsAsync(id, new LogOptions(), Ct).SingleAsync(Ct);
        Assert.Equal("from args", line.Text);
    }

    [DockerFact]
    public async Task Memory_and_cpu_limits_are_applied()
    {
        var sandbox = await RunSandboxAsync(NewPod());
        var id = await Runtime.CreateContainerAsync(
            sandbox,
            new ContainerConfig("main", Busybox, Command: ["sleep", "3600"], CpuLimitMillicores: 250, MemoryLimitBytes: 64L * 1024 * 1024),
            Ct);
        await Runtime.StartContainerAsync(id, Ct);

        var details = await Runtime.InspectContainerAsync(id, Ct);
        Assert.Equal(250_000_000, details.NanoCpus);
        Assert.Equal(64L * 1024 * 1024, details.MemoryLimitBytes);

        var cgroup = await Runtime.ExecAsync(
            id,
            ["sh", "-c", "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes"],
            TimeSpan.FromSeconds(10),
            Ct);
        Assert.Equal((64L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture), cgroup.Stdout.Trim());
    }

    [DockerFact]
    public async Task Stop_ends_a_process_that_handles_SIGTERM_at_once()
    {
        var sandbox = await RunSandboxAsync(NewPod());
        var id = await RunAsync(sandbox, "graceful", "sh", "-c", "trap 'echo got TERM; exit 0' TERM; echo ready; while true; do sleep 0.1; done");
        await WaitForLogLineAsync(id, l => l.Text == "ready");

        var watch = Stopwatch.StartNew();
        await Runtime.StopContainerAsync(id, TimeSpan.FromSeconds(20), Ct);
        watch.Stop();
        Output.WriteLine($"stop of a process that handles SIGTERM: {watch.ElapsedMilliseconds} ms (grace 20 s)");

        var details = await Runtime.InspectContainerAsync(id, Ct);
        Assert.Equal(ContainerState.Exited, details.Status.State);
        Assert.Equal(0, details.Status.ExitCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"stop took {watch.Elapsed}");
        Assert.Contains(await Runtime.GetLogsAsync(id, new LogOptions(), Ct).ToListAsync(Ct), l => l.Text == "got TERM");
    }

    [DockerFact]
    public async Task Stop_kills_a_process_that_ignores_SIGTERM_after_the_grace_period()
    {
        var sandbox = await RunSandboxAsync(NewPod());
        var id = await RunAsync(sandbox, "stubborn", "sh", "-c", "trap '' TERM; echo ready; while true; do sleep 0.1; done");
        await WaitForLogLineAsync(id, l => l.Text == "ready");

        var watch = Stopwatch.StartNew();
        await Runtime.StopContainerAsync(id, TimeSpan.FromSeconds(2), Ct);
        watch.Stop();
        Output.WriteLine($"stop of a process that ignores SIGTERM: {watch.ElapsedMilliseconds} ms (grace 2 s)");

        var details = await Runtime.InspectContainerAsync(id, Ct);
        Assert.Equal(ContainerState.Exited, details.Status.State);
        Assert.Equal(137, details.Status.ExitCode);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(15));
    }

    [DockerFact]
    public async Task Stop_waits_out_a_grace_period_longer_than_the_request_timeout()
    {
        using var impatient = new DockerContainerRuntime(EngineOptions(NodeName) with { RequestTimeout = TimeSpan.FromSeconds(1) });
        var sandbox = await RunSandboxAsync(NewPod());
        var id = await RunAsync(sandbox, "stubborn", "sh", "-c", "trap '' TERM; echo ready; while true; do sleep 0.1; done");
        await WaitForLogLineAsync(id, l => l.Text == "ready");

        var watch = Stopwatch.StartNew();
        await impatient.StopContainerAsync(id, TimeSpan.FromSeconds(3), Ct);

        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(2.9), TimeSpan.FromSeconds(15));
        Assert.Equal(137, (await Runtime.InspectContainerAsync(id, Ct)).Status.ExitCode);
    }

    [DockerFact]
    public async Task A_container_over_its_memory_limit_is_OOMKilled()
    {
        var sandbox = await RunSandboxAsync(NewPod());
        var id = await Runtime.CreateContainerAsync(
            sandbox,
            new ContainerConfig("hog", Busybox, Command: ["sh", "-c", "x=$(head -c 64000000 /dev/zero | tr '\\0' a); echo survived"], MemoryLimitBytes: 16L * 1024 * 1024),
            Ct);
        await Runtime.StartContainerAsync(id, Ct);

        var exited = await WaitForExitAsync(id);

        Assert.True(exited.Status.OomKilled, $"exit code {exited.Status.ExitCode}, not OOM-killed");
        Assert.Equal("OOMKilled", exited.Status.TerminationReason);
        Assert.Equal(137, exited.Status.ExitCode);
    }

    [DockerFact]
    public async Task Termination_reasons_tell_completed_from_failed()
    {
        var sandbox = await RunSandboxAsync(NewPod());
        var ok = await RunAsync(sandbox, "ok", "true");
        var failed = await RunAsync(sandbox, "failed", "false");

        Assert.Equal("Completed", (await WaitForExitAsync(ok)).Status.TerminationReason);
        Assert.Equal("Error", (await WaitForExitAsync(failed)).Status.TerminationReason);
        Assert.Null((await Runtime.InspectContainerAsync(sandbox.Id, Ct)).Status.TerminationReason);
    }

    [DockerFact]
    public async Task Stopping_a_stopped_container_does_nothing_and_a_missing_one_is_not_found()
    {
        var sandbox = await RunSandboxAsync(NewPod());
        var id = await RunAsync(sandbox, "main", "true");
        await WaitForExitAsync(id);

        await Runtime.StopContainerAsync(id, TimeSpan.FromSeconds(1), Ct);
        await Runtime.RemoveContainerAsync(id, Ct);
        await Runtime.RemoveContainerAsync(id, Ct);

        var e = await Assert.ThrowsAsync<ContainerNotFoundException>(() => Runtime.StopContainerAsync(id, TimeSpan.FromSeconds(1), Ct));
        Assert.Equal(RuntimeErrorReasons.ContainerNotFound, e.Reason);
        await Assert.ThrowsAsync<ContainerNotFoundException>(() => Runtime.InspectContainerAsync(id, Ct));
        await Assert.ThrowsAsync<ContainerNotFoundException>(() => Runtime.StartContainerAsync(id, Ct));
    }

    [DockerFact]
    public async Task List_finds_this_nodes_containers_by_label_with_their_state()
    {
        var web = NewPod("web");
        var db = NewPod("db");
        var webSandbox = await RunSandboxAsync(web);
        var dbSandbox = await RunSandboxAsync(db);
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        var failed = await Runtime.CreateContainerAsync(
            webSandbox,
            new ContainerConfig("job", Busybox, Command: ["sh", "-c", "exit 3"], RestartCount: 2, Labels: new Dictionary<string, string> { ["app"] = "web", [ContainerLabels.Node] = "spoofed" }),
            Ct);
        await Runtime.StartContainerAsync(failed, Ct);
        await WaitForExitAsync(failed);
        var running = await RunAsync(dbSandbox, "server", "sleep", "3600");
        var created = await Runtime.CreateContainerAsync(dbSandbox, new ContainerConfig("later", Busybox, Command: ["true"]), Ct);

        var webContainers = await Runtime.ListContainersAsync(PodFilter(web), Ct);
        Assert.Equal([webSandbox.Id, failed], webContainers.Select(c => c.Id));
        var sandbox = webContainers[0];
        Assert.Equal(ContainerKind.Sandbox, sandbox.Kind);
        Assert.Equal(ContainerLabels.SandboxContainerName, sandbox.Name);
        Assert.Equal(web, sandbox.Pod);
        Assert.Equal(ContainerState.Running, sandbox.State);
        Assert.Equal(webSandbox.PodIp, sandbox.IpAddress);
        Assert.Equal(webSandbox, PodSandbox.FromStatus(sandbox));
        var job = webContainers[1];
        Assert.Null(PodSandbox.FromStatus(job));
        Assert.Equal(ContainerKind.App, job.Kind);
        Assert.Equal("job", job.Name);
        Assert.Equal(web, job.Pod);
        Assert.Equal(ContainerState.Exited, job.State);
        Assert.Equal(3, job.ExitCode);
        Assert.Equal(2, job.RestartCount);
        Assert.Equal(Busybox, job.Image);
        Assert.Equal("web", job.Labels["app"]);
        Assert.Equal(NodeName, job.Labels[ContainerLabels.Node]);
        Assert.NotNull(job.StartedAt);
        Assert.NotNull(job.FinishedAt);
        Assert.InRange(job.StartedAt!.Value, before, job.FinishedAt!.Value);

        var byName = await Runtime.ListContainersAsync(new Dictionary<string, string> { [ContainerLabels.PodUid] = db.Uid, [ContainerLabels.ContainerName] = "server" }, Ct);
        Assert.Equal(running, Assert.Single(byName).Id);
        Assert.Equal(ContainerState.Running, byName[0].State);
        Assert.Null(byName[0].FinishedAt);

        var all = await Runtime.ListContainersAsync(new Dictionary<string, string>(), Ct);
        Assert.Equal(5, all.Count);
        Assert.Equal(ContainerState.Created, all.Single(c => c.Id == created).State);
        Assert.Null(all.Single(c => c.Id == created).StartedAt);

        // Another node sharing the engine sees none of it.
        using var otherNode = new DockerContainerRuntime(EngineOptions(NodeName + "-other"));
        Assert.Empty(await otherNode.ListContainersAsync(new Dictionary<string, string>(), Ct));
    }

    [DockerFact]
    public async Task Info_reports_the_engine_and_capacity()
    {
        var info = await Runtime.GetInfoAsync(Ct);
        Output.WriteLine(info.ToString());

        Assert.Equal("docker", info.RuntimeName);
        Assert.False(string.IsNullOrEmpty(info.EngineVersion));
        Assert.False(string.IsNullOrEmpty(info.ApiVersion));
        Assert.Equal(Environment.ProcessorCount, info.Cpus);
        Assert.True(info.MemoryBytes > 100L * 1024 * 1024, $"memory {info.MemoryBytes}");
    }
}
