using System.Runtime.CompilerServices;
using Orchestrator.Runtime;

namespace Orchestrator.TestSupport.Runtime;

/// <summary>The processes of the in-memory runtime: start, stop with signals, exits, logs, exec, and what a test sets about them.</summary>
public sealed partial class InMemoryContainerRuntime
{
    /// <summary>A sandbox start waits for this task (a slow network setup); null starts at once.</summary>
    public Func<Task>? SandboxStartGate { get; set; }

    /// <summary>A sandbox start of the given pod fails with this message when it returns one.</summary>
    public Func<PodIdentity, string?>? SandboxStartError { get; set; }

    /// <summary>The signals sent to containers so far, in order.</summary>
    public IReadOnlyList<SentSignal> Signals
    {
        get
        {
            lock (_gate) return [.. _signals];
        }
    }

    /// <summary>Sets how the containers of this name (in any pod) behave from their next create or start on.</summary>
    public void Program(string containerName, ContainerProgram program)
    {
        ArgumentNullException.ThrowIfNull(program);
        lock (_gate) _programs[containerName] = program;
    }

    /// <summary>Makes an image present on the node.</summary>
    public void AddImage(string image)
    {
        lock (_gate) _images.Add(image);
    }

    /// <summary>Removes an image from the node (as <c>docker rmi</c>); containers already created keep running.</summary>
    public void RemoveImage(string image)
    {
        lock (_gate) _images.Remove(image);
    }

    /// <summary>Makes an image pullable: a pull of it succeeds and makes it present.</summary>
    public void AddToRegistry(string image)
    {
        lock (_gate) _registry.Add(image);
    }

    /// <summary>The process of a running container (or sandbox) exits with <paramref name="exitCode"/> now.</summary>
    public void Exit(string containerId, int exitCode, bool oomKilled = false)
    {
        lock (_gate)
        {
            var container = Find(containerId);
            if (container.State != ContainerState.Running) throw new InvalidOperationException($"container {container.Name} ({containerId}) is {container.State}, not running");
            container.OomKilled = oomKilled;
            Finish(container, exitCode);
        }
    }

    /// <summary>The container's process writes a line.</summary>
    public void WriteLog(string containerId, string text, LogSource stream = LogSource.Stdout)
    {
        lock (_gate)
        {
            var container = Find(containerId);
            container.Logs.Add((new LogLine(stream, text), _time.GetUtcNow()));
            container.Touch();
        }
    }

    /// <summary>The configuration an app container was created with (mounts, env, ...); null for a sandbox.</summary>
    public ContainerConfig? ConfigOf(string containerId)
    {
        lock (_gate) return Find(containerId).Config;
    }

    /// <summary>The current status of every container of this node, oldest first.</summary>
    public IReadOnlyList<ContainerStatus> Containers()
    {
        lock (_gate) return [.. _containers.Values.OrderBy(c => c.Sequence).Select(c => c.ToStatus())];
    }

    /// <inheritdoc />
    public async Task StartContainerAsync(string containerId, CancellationToken cancellationToken)
    {
        ContainerProgram program;
        lock (_gate)
        {
            var container = Find(containerId);
            if (container.State == ContainerState.Running) return;
            program = ProgramOf(container.Name);
            // As the Docker runtime's check before a start: a missing command leaves the container created, without an engine error.
            if (program.StartError is { } error) throw new StartContainerException(containerId, error);
        }
        if (program.StartGate is { } gate) await gate().WaitAsync(cancellationToken);
        lock (_gate)
        {
            var container = Find(containerId);
            if (container.State == ContainerState.Running) return;
            if (container.SandboxId is { } sandboxId && (!_containers.TryGetValue(sandboxId, out var sandbox) || sandbox.State != ContainerState.Running))
            {
                // The engine cannot join the namespaces of a sandbox that does not run: it records the failure on the container.
                var message = $"cannot join network of a non running container: {sandboxId}";
                container.Error = message;
                container.ExitCode = 128;
                throw new StartContainerException(containerId, message);
            }
            container.State = ContainerState.Running;
            container.Error = null;
            container.ExitCode = 0;
            container.OomKilled = false;
            container.StartedAt = _time.GetUtcNow();
            container.FinishedAt = null;
            container.Touch();
            if (program.ExitsAtOnceWith is { } code) Finish(container, code);
        }
    }

    /// <inheritdoc />
    public async Task StopContainerAsync(string containerId, TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(gracePeriod, TimeSpan.Zero);
        Task exited;
        lock (_gate)
        {
            var container = Find(containerId);
            if (container.State != ContainerState.Running) return;
            _signals.Add(new SentSignal(containerId, container.Name, "SIGTERM", _time.GetUtcNow()));
            if (!ProgramOf(container.Name).IgnoresSigterm)
            {
                Finish(container, 143);
                return;
            }
            exited = WaitForExit(container);
        }
        // As the engine: whole seconds, rounded up, then SIGKILL.
        var grace = TimeSpan.FromSeconds(Math.Ceiling(gracePeriod.TotalSeconds));
        var timeout = Task.Delay(grace, _time, cancellationToken);
        await Task.WhenAny(exited, timeout);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_containers.TryGetValue(containerId, out var container) || container.State != ContainerState.Running) return;
            _signals.Add(new SentSignal(containerId, container.Name, "SIGKILL", _time.GetUtcNow()));
            Finish(container, 137);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<LogLine> GetLogsAsync(string containerId, LogOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var next = 0;
        lock (_gate)
        {
            var container = Find(containerId);
            var lines = container.Logs.Where(l => options.Since is not { } since || l.At >= since).ToList();
            next = container.Logs.Count - (options.TailLines is { } tail ? Math.Min(tail, lines.Count) : lines.Count);
        }
        while (true)
        {
            List<(LogLine Line, DateTimeOffset At)> batch;
            Task changed;
            bool running;
            lock (_gate)
            {
                if (!_containers.TryGetValue(containerId, out var container)) yield break;
                batch = container.Logs.Skip(next).Where(l => options.Since is not { } since || l.At >= since).ToList();
                next = container.Logs.Count;
                changed = container.Changed.Task;
                running = container.State == ContainerState.Running;
            }
            foreach (var (line, at) in batch) yield return options.Timestamps ? line with { Timestamp = at } : line;
            if (!options.Follow || !running) yield break;
            await changed.WaitAsync(cancellationToken);
        }
    }

    /// <inheritdoc />
    public Task<ExecResult> ExecAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.Count == 0) throw new ArgumentException("the command is empty", nameof(command));
        Func<IReadOnlyList<string>, ExecResult>? exec;
        lock (_gate)
        {
            var container = Find(containerId);
            if (container.State != ContainerState.Running)
                throw new ContainerRuntimeException(RuntimeErrorReasons.ContainerNotRunning, $"container {container.Name} is not running");
            exec = ProgramOf(container.Name).Exec;
        }
        return Task.FromResult(exec?.Invoke(command)
            ?? new ExecResult(127, "", $"OCI runtime exec failed: exec: \"{command[0]}\": executable file not found in $PATH", false));
    }

    private static Task WaitForExit(InMemoryContainer container)
    {
        // Called under the gate: each change replaces the task, so wait on the chain until it is not running.
        return Loop();

        async Task Loop()
        {
            while (container.State == ContainerState.Running) await container.Changed.Task;
        }
    }

    private void Finish(InMemoryContainer container, int exitCode)
    {
        container.State = ContainerState.Exited;
        container.ExitCode = exitCode;
        container.FinishedAt = _time.GetUtcNow();
        if (container.Kind == ContainerKind.Sandbox) container.IpAddress = null;
        container.Touch();
    }
}
