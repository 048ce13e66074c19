using System.Text.Json.Nodes;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Orchestrator.Cluster.Resources;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.Resources;
using Orchestrator.Runtime;

namespace Orchestrator.NodeAgent.Sync;

/// <summary>The sandbox part of a sync: the pod's sandbox (its own or a warm spare) and the app containers created while it starts.</summary>
public sealed partial class PodSyncer
{
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
        var config = PodSpecMapping.SandboxConfig(pod, memory.SandboxAttempt) with { Dns = await PodDnsOf(pod, ct) };
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
        if (typed.Spec.InitContainers is { Count: > 0 }) return created; // app containers wait for the init containers
        var identity = PodSpecMapping.Identity(pod);
        foreach (var container in typed.Spec.Containers)
        {
            if (PodSpecMapping.NeedsPodIp(container) || memory.For(container.Name).StartBackoff is not null) continue;
            var restartCount = memory.RestartBase.GetValueOrDefault(container.Name);
            try
            {
                await EnsureImage(pod, container, ct);
                memory.StartTimeline?.Mark("image:" + container.Name, _time.GetUtcNow());
                var config = await ContainerConfigOf(pod, container, podIp: null, restartCount, ct);
                var id = await _runtime.CreateContainerAsync(sandboxId, identity, config, ct);
                memory.StartTimeline?.Mark("created:" + container.Name, _time.GetUtcNow());
                _events.Normal(pod, container.Name, "Created", $"Created container: {container.Name}");
                memory.CreatedAhead.Add(id);
                created.Add(new ContainerStatus(id, container.Name, ContainerKind.App, identity, container.Image, ContainerState.Created, 0, _time.GetUtcNow(), null, null, restartCount, false, null, null, new Dictionary<string, string>()));
            }
            catch (Exception e) when (e is ContainerRuntimeException or ContainerConfigException or ApiErrorException or Domain.Volumes.VolumeSetupException)
            {
                _log.LogDebug("pod {Pod} container {Container} not created ahead of its sandbox: {Message}", $"{pod.Namespace()}/{pod.Name()}", container.Name, e.Message);
            }
        }
        return created;
    }
}
