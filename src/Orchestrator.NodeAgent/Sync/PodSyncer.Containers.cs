using System.Text.Json.Nodes;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Orchestrator.Domain.NodeAgent;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.Resources;
using Orchestrator.Runtime;

namespace Orchestrator.NodeAgent.Sync;

/// <summary>The containers part of a sync: start, restart by policy with backoff (CrashLoopBackOff), start failures.</summary>
public sealed partial class PodSyncer
{
    private async Task<(ContainerObservation Observation, DateTimeOffset? Wake)> SyncContainer(
        JsonObject pod, V1Pod typed, V1Container container, PodSandbox sandbox, List<ContainerStatus> runs,
        PodMemory podMemory, RestartPolicy policy, DateTimeOffset now, CancellationToken ct)
    {
        var memory = podMemory.For(container.Name);
        var current = runs.LastOrDefault() is { } last ? WithStartFailure(last, memory) : null;
        var previous = runs.Count > 1 ? WithStartFailure(runs[^2], memory) : null;

        if (current is null)
            return await StartNew(pod, container, sandbox, memory, podMemory.RestartBase.GetValueOrDefault(container.Name), previous: null, now, ct, podMemory.StartTimeline);

        if (current is { State: ContainerState.Created, Error: null })
        {
            // Created ahead of its sandbox's start, or the agent stopped in between: start it now.
            var ahead = podMemory.CreatedAhead.Remove(current.Id);
            current = await StartExisting(pod, current, memory, ct);
            podMemory.StartTimeline?.Mark("started:" + container.Name, _time.GetUtcNow());
            if (ahead) return AfterStart(container, current, previous);
        }

        if (current.State == ContainerState.Running)
        {
            var (ready, killed, probeWake) = await Probe(pod, typed, container, current, sandbox, memory, now, ct);
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
            _events.Warning(pod, container.Name, "BackOff", $"Back-off restarting failed container {container.Name} in pod {pod.Name()}_{pod.Namespace()}({pod.Uid()})");
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
            if (lastError.Reason == RuntimeErrorReasons.ErrImagePull)
            {
                _events.Normal(pod, container.Name, "BackOff", $"Back-off pulling image \"{container.Image}\"");
                _events.Warning(pod, container.Name, "Failed", "Error: ImagePullBackOff");
            }
            return (Waiting(reason, message), backoff.RestartAt);
        }
        ContainerConfig config;
        try
        {
            await EnsureImage(pod, container, ct);
            timeline?.Mark("image:" + container.Name, _time.GetUtcNow());
            config = await ContainerConfigOf(pod, container, sandbox.PodIp, restartCount, ct);
        }
        catch (ImagePullException e)
        {
            _events.Warning(pod, container.Name, "Failed", e.Reason == RuntimeErrorReasons.ErrImagePull
                ? $"Failed to pull image \"{container.Image}\": {e.EngineMessage ?? e.Message}"
                : e.EngineMessage ?? e.Message);
            _events.Warning(pod, container.Name, "Failed", $"Error: {e.Reason}");
            return FailedStart(e.Reason, e.EngineMessage ?? e.Message, shortWake: true);
        }
        catch (ContainerConfigException e)
        {
            _events.Warning(pod, container.Name, "Failed", $"Error: {e.Message}");
            return ConfigError(e.Message);
        }
        catch (Domain.Volumes.VolumeSetupException e)
        {
            return ConfigError(e.Message);
        }
        string id;
        try
        {
            id = await _runtime.CreateContainerAsync(sandbox, config, ct);
            timeline?.Mark("created:" + container.Name, _time.GetUtcNow());
            _events.Normal(pod, container.Name, "Created", $"Created container: {container.Name}");
        }
        catch (ContainerRuntimeException e) when (e is CreateContainerException or ImageNotFoundException)
        {
            _events.Warning(pod, container.Name, "Failed", $"Error: {e.EngineMessage ?? e.Message}");
            return FailedStart(RuntimeErrorReasons.CreateContainerError, e.EngineMessage ?? e.Message, shortWake: false);
        }
        memory.StartBackoff = null;
        memory.StartError = null;
        var started = await StartExisting(pod, new ContainerStatus(id, container.Name, ContainerKind.App, sandbox.Pod, container.Image, ContainerState.Created, 0, now, null, null, restartCount, false, null, null, new Dictionary<string, string>()), memory, ct);
        timeline?.Mark("started:" + container.Name, _time.GetUtcNow());
        return AfterStart(container, started, previous);

        // Not backed off: the ConfigMap or Secret may be created any moment, and the container starts within ConfigRetry then, as kubelet's does.
        (ContainerObservation, DateTimeOffset?) ConfigError(string message)
        {
            _log.LogInformation("pod {Pod} container {Container}: {Reason}: {Message}", $"{pod.Namespace()}/{pod.Name()}", container.Name, ContainerConfigException.Reason, message);
            return (Waiting(ContainerConfigException.Reason, message), now + ConfigRetry);
        }

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

    /// <summary>How soon a container whose ConfigMap, Secret or key is missing is tried again.</summary>
    private static readonly TimeSpan ConfigRetry = TimeSpan.FromSeconds(2);

    /// <summary>Makes the container's image present, with Pulling and Pulled events as kubelet records them.</summary>
    private async Task EnsureImage(JsonObject pod, V1Container container, CancellationToken ct)
    {
        var policy = PodSpecMapping.PullPolicy(container);
        // Only under Always is it known before the call that it pulls; otherwise Pulling is recorded once it did.
        if (policy == ImagePullPolicy.Always) _events.Normal(pod, container.Name, "Pulling", $"Pulling image \"{container.Image}\"");
        var began = _time.GetUtcNow();
        if (await _runtime.EnsureImageAsync(container.Image, policy, ct))
        {
            if (policy != ImagePullPolicy.Always) _events.Normal(pod, container.Name, "Pulling", $"Pulling image \"{container.Image}\"");
            var took = _time.GetUtcNow() - began;
            _events.Normal(pod, container.Name, "Pulled", $"Successfully pulled image \"{container.Image}\" in {took.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}s");
        }
        else
        {
            _events.Normal(pod, container.Name, "Pulled", $"Container image \"{container.Image}\" already present on machine");
        }
    }

    /// <summary>
    /// What the runtime creates for <paramref name="container"/>: its env (ConfigMaps, Secrets and
    /// Services read now), settings and volume mounts (<see cref="MountsFor"/>).
    /// </summary>
    private async Task<ContainerConfig> ContainerConfigOf(JsonObject pod, V1Container container, string? podIp, int restartCount, CancellationToken ct)
    {
        var sources = await ReadEnvSources(pod, container, ct);
        var config = PodSpecMapping.ContainerConfigFor(pod, container, sources, podIp, restartCount, await ReadServiceEnvironment(pod, ct));
        return config with { Mounts = MountsFor(pod, container) };
    }

    /// <summary>The observation right after a new run was started (or failed to start).</summary>
    private (ContainerObservation, DateTimeOffset?) AfterStart(V1Container container, ContainerStatus started, ContainerStatus? previous)
    {
        if (started.State == ContainerState.Running)
            return (new ContainerObservation(container.Name, container.Image, started, previous, null, null, container.ReadinessProbe is null, false), Earliest(null, ProbeStart(container, started)));
        // It could not start (e.g. the command is not found): the next sync counts it as an exit.
        return (new ContainerObservation(container.Name, container.Image, started, previous, RuntimeErrorReasons.RunContainerError, started.Error ?? "the container did not start", false, false), _time.GetUtcNow());
    }

    private async Task<ContainerStatus> StartExisting(JsonObject pod, ContainerStatus container, ContainerMemory memory, CancellationToken ct)
    {
        try
        {
            await _runtime.StartContainerAsync(container.Id, ct);
            _events.Normal(pod, container.Name, "Started", $"Started container {container.Name}");
        }
        catch (StartContainerException e)
        {
            _log.LogInformation("container {Container} of pod {Pod} did not start: {Message}", container.Name, container.Pod, e.EngineMessage ?? e.Message);
            memory.StartFailure = (container.Id, e.EngineMessage ?? e.Message);
            _events.Warning(pod, container.Name, "Failed", $"Error: {e.EngineMessage ?? e.Message}");
        }
        return WithStartFailure((await _runtime.InspectContainerAsync(container.Id, ct)).Status, memory);
    }

    /// <summary>
    /// A container that failed to start as the engine shows it, with the start's error: the runtime
    /// refuses a start whose command is missing before the engine tries, so the engine keeps no error
    /// and the container would look created and fine (and a Never pod would succeed).
    /// </summary>
    private static ContainerStatus WithStartFailure(ContainerStatus container, ContainerMemory memory) =>
        memory.StartFailure is { } failure && failure.Id == container.Id && container is { State: ContainerState.Created, Error: null }
            ? container with { Error = failure.Message }
            : container;
}
