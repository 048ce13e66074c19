using Microsoft.Extensions.Logging;
using Orchestrator.Runtime;

namespace Orchestrator.NodeAgent.Sync;

/// <summary>
/// A few sandboxes started ahead of any pod on this node (warm spares, like pre-warmed pause
/// containers), so a pod without host ports starts with its app containers only instead of waiting
/// for a sandbox's network to come up.
/// </summary>
/// <remarks>
/// <para>
/// Ownership lives on the engine, not here: a spare carries <see cref="ContainerLabels.Spare"/> and
/// no pod labels (labels cannot change after create); it belongs to the pod whose app containers
/// name it in <see cref="ContainerLabels.SandboxId"/>, and is free while none does. So after a
/// restart (even kill -9) the pool is rebuilt from the engine: joined spares are listed with their
/// pod and removed with it, free ones are taken up again, stopped free ones are removed.
/// </para>
/// <para>
/// Never shared: <see cref="TryTake"/> hands each free spare out once (under a lock) and remembers
/// it; a later refill does not offer it again even before the pod's first app container exists.
/// A spare handed out whose pod then created nothing (the agent stopped in between) is free again
/// after a restart, which is safe: no pod process ever ran in it. A spare whose pod's containers
/// are removed is removed first (see <see cref="IContainerRuntime.RemovePodSandboxAsync"/>), so a
/// used one cannot come back as free.
/// </para>
/// <code>
///   (none) --refill: RunSpareSandbox--> free --TryTake--> handed out --app container created--> joined (pod's sandbox)
///   free --stopped (seen by a refill)--> removed          handed out --agent restarts--> free
///   joined --pod removed / sandbox dies--> removed with the pod's containers
/// </code>
/// Trade-off: a spare is started before its pod is known, so it cannot publish host ports (pods with
/// hostPorts get a sandbox of their own), nor carry a pod's DNS settings (pods given the cluster's
/// resolver, ClusterFirst ones while the node runs it, get a sandbox of their own too), and its
/// hostname is the engine's default (the container's short id), not the pod's name.
/// </remarks>
public sealed class SandboxPool
{
    private readonly IContainerRuntime _runtime;
    private readonly ILogger _log;
    private readonly object _gate = new();
    private readonly Queue<SpareSandbox> _free = new();
    private readonly HashSet<string> _handedOut = new(StringComparer.Ordinal);
    // At most one pending request: several takes in a row need one refill.
    private readonly System.Threading.Channels.Channel<bool> _refillRequested =
        System.Threading.Channels.Channel.CreateBounded<bool>(new System.Threading.Channels.BoundedChannelOptions(1) { FullMode = System.Threading.Channels.BoundedChannelFullMode.DropWrite });
    private bool _filled;

    public SandboxPool(IContainerRuntime runtime, int size, ILogger log)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        _runtime = runtime;
        Size = size;
        _log = log;
    }

    /// <summary>How many free spares the pool keeps (0: none, every pod gets its own sandbox).</summary>
    public int Size { get; }

    /// <summary>Free spares at hand now.</summary>
    public int FreeCount
    {
        get
        {
            lock (_gate) return _free.Count;
        }
    }

    /// <summary>
    /// Whether a pod can run in a spare: one without host ports (spares publish none) whose DNS is the
    /// engine's default (a spare's resolv.conf is written before its pod, and so its namespace's
    /// search path, is known).
    /// </summary>
    public static bool CanServe(PodSandboxConfig config) => config.PortMappings.Count == 0 && config.Dns is null;

    /// <summary>A free spare for one pod, never the same one twice; null when none is at hand.</summary>
    public SpareSandbox? TryTake()
    {
        SpareSandbox? spare = null;
        lock (_gate)
        {
            if (_free.TryDequeue(out var taken))
            {
                _handedOut.Add(taken.Id);
                spare = taken;
            }
        }
        if (spare is not null) RequestRefill();
        return spare;
    }

    /// <summary>Asks the refill loop to top the pool up (after a take, or periodically to catch stopped spares).</summary>
    public void RequestRefill() => _refillRequested.Writer.TryWrite(true);

    /// <summary>
    /// One refill: lists the free spares on the engine (removing stopped ones), drops what was handed
    /// out or is too many, and starts new ones up to <see cref="Size"/>.
    /// </summary>
    public async Task RefillAsync(CancellationToken ct)
    {
        var listed = await _runtime.ListFreeSpareSandboxesAsync(ct);
        var surplus = new List<SpareSandbox>();
        int missing;
        lock (_gate)
        {
            var listedIds = listed.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
            // A handed-out spare joined by its pod (or gone) is not listed as free: no need to remember it.
            _handedOut.IntersectWith(listedIds);
            _free.Clear();
            foreach (var spare in listed.Where(s => !_handedOut.Contains(s.Id)))
            {
                if (_free.Count < Size) _free.Enqueue(spare);
                else surplus.Add(spare);
            }
            missing = Size - _free.Count;
            _filled = true;
        }
        foreach (var spare in surplus) await _runtime.RemovePodSandboxAsync(spare.Id, ct);
        for (var i = 0; i < missing; i++)
        {
            var spare = await _runtime.RunSpareSandboxAsync(ct);
            lock (_gate) _free.Enqueue(spare);
        }
    }

    /// <summary>Keeps the pool filled until <paramref name="ct"/> is cancelled: refills at once, then on every request.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        if (Size == 0) return;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await RefillAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Whatever went wrong (the engine, a spare removed under our feet), the loop goes on.
                _log.LogWarning("sandbox pool: {Message}; trying again", e.Message);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(2), ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                continue;
            }
            try
            {
                await _refillRequested.Reader.ReadAsync(ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Whether the first refill (which adopts what a previous run left) has happened.</summary>
    public bool Filled
    {
        get
        {
            lock (_gate) return _filled;
        }
    }
}
