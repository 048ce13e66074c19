using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Orchestrator.Cluster.Resources;
using Orchestrator.Domain.ConfigMaps;
using Orchestrator.Domain.Dns;
using Orchestrator.Domain.NodeAgent;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Secrets;
using Orchestrator.Domain.Selectors;
using Orchestrator.Domain.Services;
using Orchestrator.Cluster.Index;
using Orchestrator.NodeAgent.Dns;
using Orchestrator.NodeAgent.Events;
using Orchestrator.NodeAgent.Probes;
using Orchestrator.NodeAgent.Volumes;
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
/// <para>The parts live in files of their own: PodSyncer.Volumes.cs, .Sandbox.cs, .Init.cs, .Containers.cs, .Probes.cs,
/// .Termination.cs and .Status.cs.</para>
/// </remarks>
public sealed partial class PodSyncer
{
    private readonly IContainerRuntime _runtime;
    private readonly INodeAgentStore _store;
    private readonly string _nodeName;
    private readonly string? _hostIp;
    private readonly RestartBackoff _backoff;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Prober _prober;
    private readonly SandboxPool? _pool;
    private readonly ClusterDnsSettings _dns;
    private readonly PodEventRecorder _events;
    private readonly PodVolumes? _volumes;
    private readonly ConcurrentDictionary<string, PodMemory> _memory = new(StringComparer.Ordinal);

    /// <param name="volumes">This node's pod volumes; null: pods with volumes do not start (FailedMount).</param>
    public PodSyncer(IContainerRuntime runtime, INodeAgentStore store, string nodeName, string? hostIp, RestartBackoff backoff, TimeProvider time, HttpClient probeHttp, ILogger log, SandboxPool? pool = null, ClusterDnsSettings? dns = null, PodVolumes? volumes = null)
    {
        _volumes = volumes;
        _pool = pool is { Size: > 0 } ? pool : null;
        _dns = dns ?? ClusterDnsSettings.Disabled;
        _runtime = runtime;
        _store = store;
        _nodeName = nodeName;
        _hostIp = hostIp;
        _backoff = backoff;
        _time = time;
        _log = log;
        _prober = new Prober(runtime, probeHttp);
        _events = new PodEventRecorder(store, nodeName, time, log);
    }

    /// <summary>The Events this syncer records about its pods.</summary>
    public PodEventRecorder Events => _events;

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
            var goneUids = all.Select(c => c.Pod?.Uid).ToList();
            if (_memory.TryRemove(key, out var gone))
            {
                await RemoveUnjoinedSpare(gone, ct);
                goneUids.Add(gone.Uid);
            }
            TearDownVolumes(goneUids);
            return new SyncOutcome(null, Forget: true);
        }

        var uid = pod.Uid() ?? "";
        var stale = all.Where(c => c.Pod?.Uid != uid).ToList();
        if (stale.Count > 0)
        {
            await RemoveAll(stale, ct);
            TearDownVolumes(stale.Select(c => c.Pod?.Uid));
        }
        var mine = all.Where(c => c.Pod?.Uid == uid).ToList();

        if (pod.IsDeleting())
        {
            await Terminate(pod, mine, ct);
            if (_memory.TryRemove(key, out var terminated)) await RemoveUnjoinedSpare(terminated, ct);
            TearDownVolumes([uid]);
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

        // Volumes before the sandbox, as kubelet does; refreshed on every sync while the pod runs.
        var volumeError = await SetUpVolumes(pod, memory, ct);
        if (volumeError is not null && !mine.Any(c => c.Kind == ContainerKind.App))
        {
            var waiting = typed.Spec.Containers.Select(c => new ContainerObservation(c.Name, c.Image, null, null, "ContainerCreating", volumeError, false, false)).ToList();
            await WriteStatusIfChanged(pod, ns, name, null, waiting, memory, ct);
            return new SyncOutcome(now + VolumeRetry, Forget: false);
        }

        var sandbox = mine.Where(c => c.Kind == ContainerKind.Sandbox && c.State == ContainerState.Running)
            .Select(PodSandbox.FromStatus).FirstOrDefault(s => s is not null);
        var apps = mine.Where(c => c.Kind == ContainerKind.App).ToList();
        if (sandbox is null)
        {
            (sandbox, apps, wake) = await EnsureSandbox(pod, typed, memory, mine, now, ct);
        }

        var observations = new List<ContainerObservation>();
        var policy = PodSpecMapping.RestartPolicyOf(typed);
        var init = sandbox is null
            ? new InitProgress([.. (typed.Spec.InitContainers ?? []).Select(c => new ContainerObservation(c.Name, c.Image, null, null, "PodInitializing", null, false, false))], (typed.Spec.InitContainers ?? []).Count == 0, null)
            : await SyncInitContainers(pod, typed, sandbox, apps, memory, policy, now, ct);
        wake = Earliest(wake, init.Wake);
        foreach (var container in typed.Spec.Containers)
        {
            if (sandbox is null || !init.Initialized)
            {
                // Held back: by its sandbox (its error), else by init containers not done, else it is being created.
                var (reason, message) = sandbox is null && memory.SandboxError is { } error ? error
                    : !init.Initialized ? ("PodInitializing", "")
                    : ("ContainerCreating", "");
                observations.Add(new ContainerObservation(container.Name, container.Image, null, null, reason, message, false, false));
                continue;
            }
            var runs = apps.Where(c => c.Name == container.Name).OrderBy(c => c.RestartCount).ThenBy(c => c.CreatedAt).ToList();
            var (observation, containerWake) = await SyncContainer(pod, typed, container, sandbox, runs, memory, policy, now, ct);
            observations.Add(observation);
            wake = Earliest(wake, containerWake);
        }

        if (_volumes is not null && PodVolumes.HasProjected(pod)) wake = Earliest(wake, now + _volumes.RefreshInterval);
        await WriteStatusIfChanged(pod, ns, name, sandbox, observations, memory, ct, init.Observations, init.Initialized);
        return new SyncOutcome(wake, Forget: false);
    }

    /// <summary>How soon a pod whose volumes could not be set up is tried again (its ConfigMap or Secret may appear).</summary>
    private static readonly TimeSpan VolumeRetry = TimeSpan.FromSeconds(2);

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

    /// <summary>The Secrets and ConfigMaps a container's env reads that exist (a missing one is left out: <see cref="PodSpecMapping.ContainerConfigFor"/> decides what that means).</summary>
    private async Task<Dictionary<EnvSource, JsonObject>> ReadEnvSources(JsonObject pod, V1Container container, CancellationToken ct)
    {
        var sources = new Dictionary<EnvSource, JsonObject>();
        foreach (var source in PodSpecMapping.EnvSources(container))
        {
            ResourceKind kind = source.Kind == "Secret" ? SecretKind.Instance : ConfigMapKind.Instance;
            if (await TryGet(kind, pod.Namespace(), source.Name, ct) is { } obj) sources[source] = obj;
        }
        return sources;
    }

    /// <summary>
    /// The environment variables of the Services that exist now in the pod's namespace (when its
    /// <c>enableServiceLinks</c> is on) and of <c>default/kubernetes</c>, as kubelet injects them.
    /// </summary>
    private async Task<IReadOnlyList<KeyValuePair<string, string>>> ReadServiceEnvironment(JsonObject pod, CancellationToken ct)
    {
        var ns = pod.Namespace();
        var links = ServiceEnvironment.EnableServiceLinks(pod);
        var services = new List<JsonObject>();
        if (links) services.AddRange((await _store.List(new ObjectFilter(ServiceKind.Instance.Kind, ns, LabelSelector.Everything, FieldSelector.Everything), ct)).Items);
        if (ns != "default" || !links)
            services.AddRange((await _store.List(new ObjectFilter(ServiceKind.Instance.Kind, "default", LabelSelector.Everything, FieldSelector.Parse("metadata.name=kubernetes")), ct)).Items);
        return ServiceEnvironment.For(services, ns, links);
    }

    /// <summary>
    /// The pod's resolv.conf (<see cref="PodDns"/>): ClusterFirst pods get this node's resolver, on
    /// its listen address or else the gateway of the node's pod network.
    /// </summary>
    private async Task<ResolverConfig?> PodDnsOf(JsonObject pod, CancellationToken ct)
    {
        var nameserver = _dns.Enabled ? (_dns.ListenAddress ?? (await _runtime.GetPodNetworkAsync(ct)).Gateway).ToString() : null;
        return PodDns.For(pod, nameserver, _dns.ClusterDomain, _dns.Host);
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;
}
