using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Orchestrator.Cluster.Resources;
using Orchestrator.Domain.ConfigMaps;
using Orchestrator.Domain.NodeAgent;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Secrets;
using Orchestrator.NodeAgent.Probes;
using Orchestrator.Runtime;

namespace Orchestrator.NodeAgent.Sync;

/// <summary>What one sync of a pod leaves for the agent to do: sync again at <see cref="WakeAt"/>, or forget the pod.</summary>
public sealed record SyncOutcome(DateTimeOffset? WakeAt, bool Forget);

/// <summary>
/// The idempotent, level-triggered sync of one pod key: reads the pod from the store and its
/// containers from the engine, makes the engine match (sandbox, containers, restarts, probes,
/// graceful stop on deletion, removal when the pod is gone), then writes the status if it changed.
/// Running it again with nothing changed does nothing but read. The caller runs at most one sync
/// per pod at a time.
/// </summary>
/// <remarks>
/// A container's life as the sync drives it:
/// <code>
///   (none) --pull fails--> ErrImagePull -> ImagePullBackOff --backoff over--> (none)
///   (none) --create fails--> CreateContainerError --backoff over--> (none)
///   (none) --create + start--> Running --exits / liveness fails--> Exited
///   (none) --start fails--> RunContainerError (counts as an exit with code 128)
///   Exited --policy says restart, backoff running--> CrashLoopBackOff --backoff over--> new run (restartCount + 1)
///   Exited --policy says no--> terminated for good
/// </code>
/// Deletion: deletionTimestamp set -> stop app containers with the grace period -> remove the
/// sandbox -> delete the pod with grace 0. Any other combination (e.g. a container of another uid)
/// is removed as garbage.
/// </remarks>
public sealed class PodSyncer
{
    private readonly IContainerRuntime _runtime;
    private readonly ResourceStore _store;
    private readonly string _nodeName;
    private readonly string? _hostIp;
    private readonly RestartBackoff _backoff;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Prober _prober;
    private readonly SandboxPool? _pool;
    private readonly ConcurrentDictionary<string, PodMemory> _memory = new(StringComparer.Ordinal);

    public PodSyncer(IContainerRuntime runtime, ResourceStore store, string nodeName, string? hostIp, RestartBackoff backoff, TimeProvider time, HttpClient probeHttp, ILogger log, SandboxPool? pool = null)
    {
        _pool = pool is { Size: > 0 } ? pool : null;
        _runtime = runtime;
        _store = store;
        _nodeName = nodeName;
        _hostIp = hostIp;
        _backoff = backoff;
        _time = time;
        _log = log;
        _prober = new Prober(runtime, probeHttp);
    }

    public async Task<SyncOutcome> SyncAsync(string ns, string name, CancellationToken ct)
    {
        var key = ns + "/" + name;
        var began = _time.GetUtcNow();
        var pod = await TryGet(PodKind.Instance, ns, name, ct);
        var all = await _runtime.ListContainersAsync(new Dictionary<string, string>
        {
            [ContainerLabels.PodNamespace] = ns,
            [ContainerLabels.PodName] = name,
        }, ct);

        if (pod is null || pod["spec"]?["nodeName"]?.GetValue<string>() != _nodeName)
        {
            if (all.Count > 0) _log.LogInformation("removing {Count} containers of pod {Pod}: it no longer exists on node {Node}", all.Count, key, _nodeName);
            await RemoveAll(all, ct);
            if (_memory.TryRemove(key, out var gone)) await RemoveUnjoinedSpare(gone, ct);
            return new SyncOutcome(null, Forget: true);
        }

        var uid = pod.Uid() ?? "";
        var stale = all.Where(c => c.Pod?.Uid != uid).ToList();
        if (stale.Count > 0) await RemoveAll(stale, ct);
        var mine = all.Where(c => c.Pod?.Uid == uid).ToList();

        if (pod.IsDeleting())
        {
            await Terminate(pod, mine, ct);
            if (_memory.TryRemove(key, out var terminated)) await RemoveUnjoinedSpare(terminated, ct);
            return new SyncOutcome(null, Forget: true);
        }

        var phase = pod["status"]?["phase"]?.GetValue<string>();
        if (phase is "Succeeded" or "Failed") return new SyncOutcome(null, Forget: false);

        var memory = _memory.AddOrUpdate(key, _ => new PodMemory(uid), (_, existing) => existing.Uid == uid ? existing : new PodMemory(uid));
        if (memory.Spare is { } given && mine.Any(c => c.Id == given.Id)) memory.Spare = null; // joined: the engine tells from now on
        var typed = PodKind.Typed(pod);
        var now = _time.GetUtcNow();
        if (mine.Count == 0 && memory.StartTimeline is null && _log.IsEnabled(LogLevel.Debug))
        {
            memory.StartTimeline = new PodStartTimeline(key);
            memory.StartTimeline.Mark("sync", began);
            memory.StartTimeline.Mark("read", now);
        }
        DateTimeOffset? wake = null;

        var sandbox = mine.Where(c => c.Kind == ContainerKind.Sandbox && c.State == ContainerState.Running)
            .Select(PodSandbox.FromStatus).FirstOrDefault(s => s is not null);
        var apps = mine.Where(c => c.Kind == ContainerKind.App).ToList();
        if (sandbox is null)
        {
            (sandbox, apps, wake) = await EnsureSandbox(pod, typed, memory, mine, now, ct);
        }

        var observations = new List<ContainerObservation>();
        var policy = PodSpecMapping.RestartPolicyOf(typed);
        foreach (var container in typed.Spec.Containers)
        {
            if (sandbox is null)
            {
                var (reason, message) = memory.SandboxError ?? ("ContainerCreating", "");
                observations.Add(new ContainerObservation(container.Name, container.Image, null, null, reason, message, false, false));
                continue;
            }
            var runs = apps.Where(c => c.Name == container.Name).OrderBy(c => c.RestartCount).ThenBy(c => c.CreatedAt).ToList();
            var (observation, containerWake) = await SyncContainer(pod, typed, container, sandbox, runs, memory, policy, now, ct);
            observations.Add(observation);
            wake = Earliest(wake, containerWake);
        }

        var status = PodStatusBuilder.Build(pod["status"] as JsonObject, sandbox?.PodIp, _hostIp, observations, _time.GetUtcNow());
        // Fields the store derives (qosClass) are kept as they are, so an unchanged pod compares equal.
        if (pod["status"]?["qosClass"] is { } qos) status["qosClass"] = qos.DeepClone();
        if (!JsonNode.DeepEquals(status, pod["status"]))
        {
            var updated = (JsonObject)pod.DeepClone();
            updated["status"] = status;
            await _store.Replace(PodKind.Instance, ns, name, updated, Subresource.Status, ct);
        }
        if (memory.StartTimeline is { Done: false } timeline && observations.Count > 0 && observations.All(o => o.Current?.State == ContainerState.Running))
        {
            timeline.Mark("status", _time.GetUtcNow());
            _log.LogDebug("{Timeline}", timeline.Finish());
        }
        return new SyncOutcome(wake, Forget: false);
    }

    private async Task<(PodSandbox? Sandbox, List<ContainerStatus> Apps, DateTimeOffset? Wake)> EnsureSandbox(
        JsonObject pod, V1Pod typed, PodMemory memory, List<ContainerStatus> mine, DateTimeOffset now, CancellationToken ct)
    {
        if (memory.SandboxBackoff is { } backoff && backoff.IsBackingOff(now))
            return (null, [], backoff.RestartAt);
        // A dead sandbox took the pod's network with it: start the pod over, counting restarts on.
        // (A container that never ran, e.g. one created ahead of a sandbox that then failed, is no run.)
        foreach (var app in mine.Where(c => c.Kind == ContainerKind.App && c.StartedAt is not null))
            memory.RestartBase[app.Name] = Math.Max(memory.RestartBase.GetValueOrDefault(app.Name), app.RestartCount + 1);
        await RemoveAll(mine, ct);
        memory.CreatedAhead.Clear();
        var config = PodSpecMapping.SandboxConfig(pod, memory.SandboxAttempt);
        if (await SpareFor(memory, config, ct) is { } spare)
        {
            // A warm spare: the pod's network is up already; its app containers are created and started next.
            memory.StartTimeline?.Mark("sandbox-spare", _time.GetUtcNow());
            memory.SandboxBackoff = null;
            memory.SandboxError = null;
            return (spare.For(config.Pod), [], null);
        }
        memory.SandboxAttempt++;
        try
        {
            var sandboxId = await _runtime.CreatePodSandboxAsync(config, ct);
            memory.StartTimeline?.Mark("sandbox-created", _time.GetUtcNow());
            // Starting the sandbox (its network) is the slow part: meanwhile create the app
            // containers, which join its namespaces when they start. They carry the pod's labels,
            // so if the sandbox fails they are removed with the pod's other containers next time.
            var starting = _runtime.StartPodSandboxAsync(sandboxId, config, ct);
            var creating = CreateAheadAsync(pod, typed, sandboxId, memory, ct);
            PodSandbox sandbox;
            List<ContainerStatus> created;
            try
            {
                sandbox = await starting;
                memory.StartTimeline?.Mark("sandbox-started", _time.GetUtcNow());
            }
            finally
            {
                created = await creating;
            }
            memory.SandboxBackoff = null;
            memory.SandboxError = null;
            return (sandbox, created, null);
        }
        catch (PodSandboxException e)
        {
            memory.SandboxBackoff = _backoff.AfterExit(memory.SandboxBackoff, now, now);
            memory.SandboxError = (e.Reason, e.Message);
            _log.LogWarning("pod {Pod}: {Message}", $"{pod.Namespace()}/{pod.Name()}", e.Message);
            return (null, [], memory.SandboxBackoff.RestartAt);
        }
    }

    /// <summary>
    /// The spare sandbox this pod was given earlier and no container joined yet (still running), else
    /// a fresh one from the pool when the pod can use one; null for a sandbox of its own.
    /// </summary>
    private async Task<SpareSandbox?> SpareFor(PodMemory memory, PodSandboxConfig config, CancellationToken ct)
    {
        if (memory.Spare is { } given)
        {
            try
            {
                if ((await _runtime.InspectContainerAsync(given.Id, ct)).Status.State == ContainerState.Running) return given;
            }
            catch (ContainerNotFoundException)
            {
            }
            await _runtime.RemovePodSandboxAsync(given.Id, ct);
            memory.Spare = null;
        }
        if (_pool is null || !SandboxPool.CanServe(config)) return null;
        memory.Spare = _pool.TryTake();
        return memory.Spare;
    }

    /// <summary>Removes the spare a pod was given when no container of it joined it (the listing cannot see it).</summary>
    private async Task RemoveUnjoinedSpare(PodMemory memory, CancellationToken ct)
    {
        if (memory.Spare is { } spare) await _runtime.RemovePodSandboxAsync(spare.Id, ct);
        memory.Spare = null;
    }

    /// <summary>
    /// Creates (does not start) the app containers of a pod whose sandbox is starting: those without
    /// a pending backoff whose configuration does not need the pod IP. Any failure leaves the
    /// container out; creating it the usual way then reports the failure and backs off.
    /// </summary>
    private async Task<List<ContainerStatus>> CreateAheadAsync(JsonObject pod, V1Pod typed, string sandboxId, PodMemory memory, CancellationToken ct)
    {
        var created = new List<ContainerStatus>();
        var identity = PodSpecMapping.Identity(pod);
        foreach (var container in typed.Spec.Containers)
        {
            if (PodSpecMapping.NeedsPodIp(container) || memory.For(container.Name).StartBackoff is not null) continue;
            var restartCount = memory.RestartBase.GetValueOrDefault(container.Name);
            try
            {
                await _runtime.EnsureImageAsync(container.Image, PodSpecMapping.PullPolicy(container), ct);
                memory.StartTimeline?.Mark("image:" + container.Name, _time.GetUtcNow());
                var sources = new Dictionary<EnvSource, JsonObject>();
                foreach (var source in PodSpecMapping.EnvSources(container))
                {
                    ResourceKind kind = source.Kind == "Secret" ? SecretKind.Instance : ConfigMapKind.Instance;
                    if (await TryGet(kind, pod.Namespace(), source.Name, ct) is { } obj) sources[source] = obj;
                }
                var config = PodSpecMapping.ContainerConfigFor(pod, container, sources, podIp: null, restartCount);
                var id = await _runtime.CreateContainerAsync(sandboxId, identity, config, ct);
                memory.StartTimeline?.Mark("created:" + container.Name, _time.GetUtcNow());
                memory.CreatedAhead.Add(id);
                created.Add(new ContainerStatus(id, container.Name, ContainerKind.App, identity, container.Image, ContainerState.Created, 0, _time.GetUtcNow(), null, null, restartCount, false, null, null, new Dictionary<string, string>()));
            }
            catch (Exception e) when (e is ContainerRuntimeException or ContainerConfigException or ApiErrorException)
            {
                _log.LogDebug("pod {Pod} container {Container} not created ahead of its sandbox: {Message}", $"{pod.Namespace()}/{pod.Name()}", container.Name, e.Message);
            }
        }
        return created;
    }

    private async Task<(ContainerObservation Observation, DateTimeOffset? Wake)> SyncContainer(
        JsonObject pod, V1Pod typed, V1Container container, PodSandbox sandbox, List<ContainerStatus> runs,
        PodMemory podMemory, RestartPolicy policy, DateTimeOffset now, CancellationToken ct)
    {
        var memory = podMemory.For(container.Name);
        var current = runs.LastOrDefault();
        var previous = runs.Count > 1 ? runs[^2] : null;

        if (current is null)
            return await StartNew(pod, container, sandbox, memory, podMemory.RestartBase.GetValueOrDefault(container.Name), previous: null, now, ct, podMemory.StartTimeline);

        if (current is { State: ContainerState.Created, Error: null })
        {
            // Created ahead of its sandbox's start, or the agent stopped in between: start it now.
            var ahead = podMemory.CreatedAhead.Remove(current.Id);
            current = await StartExisting(current, ct);
            podMemory.StartTimeline?.Mark("started:" + container.Name, _time.GetUtcNow());
            if (ahead) return AfterStart(container, current, previous);
        }

        if (current.State == ContainerState.Running)
        {
            var (ready, killed, probeWake) = await Probe(typed, container, current, sandbox, memory, now, ct);
            if (!killed)
                return (new ContainerObservation(container.Name, container.Image, current, previous, null, null, ready, false), probeWake);
            current = (await _runtime.InspectContainerAsync(current.Id, ct)).Status;
        }

        // Exited, or created with a start error (which counts as a failure with code 128).
        var exitCode = current.Error is { Length: > 0 } ? 128 : current.ExitCode;
        if (!RestartPolicyDecision.ShouldRestart(policy, exitCode))
            return (new ContainerObservation(container.Name, container.Image, current, previous, null, null, false, true), null);
        if (memory.ExitBackoffFor != current.Id)
        {
            memory.ExitBackoff = _backoff.AfterExit(memory.ExitBackoff, current.StartedAt ?? current.CreatedAt, current.FinishedAt ?? now);
            memory.ExitBackoffFor = current.Id;
        }
        if (memory.ExitBackoff!.IsBackingOff(now))
        {
            var message = current.Error is { Length: > 0 } error
                ? error
                : $"back-off {memory.ExitBackoff.Delay.TotalSeconds:0}s restarting failed container={container.Name} pod={pod.Name()}_{pod.Namespace()}({pod.Uid()})";
            var reason = current.Error is { Length: > 0 } && memory.ExitBackoff.ConsecutiveExits == 1 ? RuntimeErrorReasons.RunContainerError : "CrashLoopBackOff";
            return (new ContainerObservation(container.Name, container.Image, current, previous, reason, message, false, false), memory.ExitBackoff.RestartAt);
        }
        // Restart: keep the run that just ended as the previous one (for logs --previous), drop older ones.
        foreach (var old in runs.Where(r => r.Id != current.Id)) await _runtime.RemoveContainerAsync(old.Id, ct);
        return await StartNew(pod, container, sandbox, memory, current.RestartCount + 1, current, now, ct);
    }

    private async Task<(ContainerObservation, DateTimeOffset?)> StartNew(
        JsonObject pod, V1Container container, PodSandbox sandbox, ContainerMemory memory, int restartCount, ContainerStatus? previous, DateTimeOffset now, CancellationToken ct,
        PodStartTimeline? timeline = null)
    {
        ContainerObservation Waiting(string reason, string message) =>
            new(container.Name, container.Image, previous, null, reason, message, false, false);

        if (memory.StartBackoff is { } backoff && backoff.IsBackingOff(now) && memory.StartError is { } lastError)
        {
            var reason = lastError.Reason == RuntimeErrorReasons.ErrImagePull ? "ImagePullBackOff" : lastError.Reason;
            var message = lastError.Reason == RuntimeErrorReasons.ErrImagePull ? $"Back-off pulling image \"{container.Image}\": {lastError.Message}" : lastError.Message;
            return (Waiting(reason, message), backoff.RestartAt);
        }
        ContainerConfig config;
        try
        {
            await _runtime.EnsureImageAsync(container.Image, PodSpecMapping.PullPolicy(container), ct);
            timeline?.Mark("image:" + container.Name, _time.GetUtcNow());
            var sources = new Dictionary<EnvSource, JsonObject>();
            foreach (var source in PodSpecMapping.EnvSources(container))
            {
                ResourceKind kind = source.Kind == "Secret" ? SecretKind.Instance : ConfigMapKind.Instance;
                if (await TryGet(kind, pod.Namespace(), source.Name, ct) is { } obj) sources[source] = obj;
            }
            config = PodSpecMapping.ContainerConfigFor(pod, container, sources, sandbox.PodIp, restartCount);
        }
        catch (ImagePullException e)
        {
            return FailedStart(e.Reason, e.EngineMessage ?? e.Message, shortWake: true);
        }
        catch (ContainerConfigException e)
        {
            return FailedStart(ContainerConfigException.Reason, e.Message, shortWake: false);
        }
        string id;
        try
        {
            id = await _runtime.CreateContainerAsync(sandbox, config, ct);
            timeline?.Mark("created:" + container.Name, _time.GetUtcNow());
        }
        catch (ContainerRuntimeException e) when (e is CreateContainerException or ImageNotFoundException)
        {
            return FailedStart(RuntimeErrorReasons.CreateContainerError, e.EngineMessage ?? e.Message, shortWake: false);
        }
        memory.StartBackoff = null;
        memory.StartError = null;
        var started = await StartExisting(new ContainerStatus(id, container.Name, ContainerKind.App, sandbox.Pod, container.Image, ContainerState.Created, 0, now, null, null, restartCount, false, null, null, new Dictionary<string, string>()), ct);
        timeline?.Mark("started:" + container.Name, _time.GetUtcNow());
        return AfterStart(container, started, previous);

        (ContainerObservation, DateTimeOffset?) FailedStart(string reason, string message, bool shortWake)
        {
            memory.StartBackoff = _backoff.AfterExit(memory.StartBackoff, now, now);
            memory.StartError = (reason, message);
            _log.LogInformation("pod {Pod} container {Container}: {Reason}: {Message}", $"{pod.Namespace()}/{pod.Name()}", container.Name, reason, message);
            // After a failed pull, look again soon so the status moves on to ImagePullBackOff as Kubernetes' does.
            var wake = shortWake ? Earliest(now + TimeSpan.FromSeconds(1), memory.StartBackoff.RestartAt) : memory.StartBackoff.RestartAt;
            return (Waiting(reason, message), wake);
        }
    }

    /// <summary>The observation right after a new run was started (or failed to start).</summary>
    private (ContainerObservation, DateTimeOffset?) AfterStart(V1Container container, ContainerStatus started, ContainerStatus? previous)
    {
        if (started.State == ContainerState.Running)
            return (new ContainerObservation(container.Name, container.Image, started, previous, null, null, container.ReadinessProbe is null, false), Earliest(null, ProbeStart(container, started)));
        // It could not start (e.g. the command is not found): the next sync counts it as an exit.
        return (new ContainerObservation(container.Name, container.Image, started, previous, RuntimeErrorReasons.RunContainerError, started.Error ?? "the container did not start", false, false), _time.GetUtcNow());
    }

    private async Task<ContainerStatus> StartExisting(ContainerStatus container, CancellationToken ct)
    {
        try
        {
            await _runtime.StartContainerAsync(container.Id, ct);
        }
        catch (StartContainerException e)
        {
            _log.LogInformation("container {Container} of pod {Pod} did not start: {Message}", container.Name, container.Pod, e.EngineMessage ?? e.Message);
        }
        return (await _runtime.InspectContainerAsync(container.Id, ct)).Status;
    }

    private static DateTimeOffset? ProbeStart(V1Container container, ContainerStatus started)
    {
        var delays = new[] { container.LivenessProbe, container.ReadinessProbe }.Where(p => p is not null)
            .Select(p => (started.StartedAt ?? started.CreatedAt) + TimeSpan.FromSeconds(p!.InitialDelaySeconds ?? 0)).ToList();
        return delays.Count == 0 ? null : delays.Min();
    }

    /// <summary>Runs the due probes of a running container; kills it when liveness failed. Returns readiness, whether it was killed, and when probes are next due.</summary>
    private async Task<(bool Ready, bool Killed, DateTimeOffset? Wake)> Probe(
        V1Pod typed, V1Container container, ContainerStatus current, PodSandbox sandbox, ContainerMemory memory, DateTimeOffset now, CancellationToken ct)
    {
        if (memory.ProbedId != current.Id)
        {
            memory.ProbedId = current.Id;
            memory.Liveness = container.LivenessProbe is { } l ? ProbeState.Initial(ProbeKind.Liveness, Prober.SettingsOf(l)) : null;
            memory.Readiness = container.ReadinessProbe is { } r ? ProbeState.Initial(ProbeKind.Readiness, Prober.SettingsOf(r)) : null;
        }
        var startedAt = current.StartedAt ?? current.CreatedAt;
        DateTimeOffset? wake = null;
        if (memory.Liveness is { } liveness)
        {
            if (liveness.IsDue(startedAt, now))
            {
                var ok = await _prober.RunAsync(container.LivenessProbe!, container, current.Id, sandbox.PodIp, ct);
                memory.Liveness = liveness = liveness.Record(ok, _time.GetUtcNow());
                if (liveness.Result == ProbeResult.Failure)
                {
                    var grace = TimeSpan.FromSeconds(container.LivenessProbe!.TerminationGracePeriodSeconds ?? typed.Spec.TerminationGracePeriodSeconds ?? 30);
                    _log.LogInformation("container {Container} of pod {Pod} failed its liveness probe, restarting it", container.Name, current.Pod);
                    await _runtime.StopContainerAsync(current.Id, grace, ct);
                    return (false, true, null);
                }
            }
            wake = Earliest(wake, liveness.NextProbeAt(startedAt));
        }
        var ready = true;
        if (memory.Readiness is { } readiness)
        {
            if (readiness.IsDue(startedAt, now))
            {
                var ok = await _prober.RunAsync(container.ReadinessProbe!, container, current.Id, sandbox.PodIp, ct);
                memory.Readiness = readiness = readiness.Record(ok, _time.GetUtcNow());
            }
            ready = readiness.Result == ProbeResult.Success;
            wake = Earliest(wake, readiness.NextProbeAt(startedAt));
        }
        return (ready, false, wake);
    }

    /// <summary>Graceful deletion: SIGTERM, SIGKILL after the grace period, remove, then delete the pod for good.</summary>
    private async Task Terminate(JsonObject pod, List<ContainerStatus> mine, CancellationToken ct)
    {
        var grace = PodSpecMapping.GracePeriod(pod);
        await Task.WhenAll(mine.Where(c => c.Kind == ContainerKind.App && c.State == ContainerState.Running)
            .Select(c => StopQuietly(c.Id, grace, ct)));
        await RemoveAll(mine, ct);
        try
        {
            await _store.Delete(PodKind.Instance, pod.Namespace(), pod.Name(), new DeleteRequest(PreconditionUid: pod.Uid(), GracePeriodSeconds: 0), ct);
        }
        catch (ApiErrorException e) when (e.Error.Code is 404 or 409)
        {
        }
    }

    private async Task StopQuietly(string id, TimeSpan grace, CancellationToken ct)
    {
        try
        {
            await _runtime.StopContainerAsync(id, grace, ct);
        }
        catch (ContainerNotFoundException)
        {
        }
    }

    private async Task RemoveAll(IEnumerable<ContainerStatus> containers, CancellationToken ct)
    {
        // Sandboxes first (each takes its app containers along): a spare sandbox whose app containers
        // were removed first would look free again if the agent stopped in between.
        var list = containers.ToList();
        foreach (var sandbox in list.Where(c => c.Kind == ContainerKind.Sandbox)) await _runtime.RemovePodSandboxAsync(sandbox.Id, ct);
        foreach (var app in list.Where(c => c.Kind == ContainerKind.App)) await _runtime.RemoveContainerAsync(app.Id, ct);
    }

    private async Task<JsonObject?> TryGet(ResourceKind kind, string ns, string name, CancellationToken ct)
    {
        try
        {
            return await _store.Get(kind, ns, name, ct);
        }
        catch (ApiErrorException e) when (e.Error.Code == 404)
        {
            return null;
        }
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;
}
