namespace Orchestrator.Domain.ServiceProxy;

/// <summary>
/// Picks the endpoint of one Service port for each new connection (Kubernetes' rules): ready
/// endpoints round robin; terminating-but-serving ones only when no ready one is left; with client
/// IP affinity the client's last endpoint while its timeout runs (renewed by each use). An endpoint
/// that leaves the set is never picked again; connections already open to it are not this
/// class's business (they drain on their own). Thread-safe: listeners pick from many connections at once.
/// </summary>
public sealed class EndpointPicker
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (ProxyEndpoint Endpoint, DateTimeOffset LastUsed)> _affinity = new(StringComparer.Ordinal);
    private IReadOnlyList<ProxyEndpoint> _usable = [];
    private TimeSpan? _affinityTimeout;
    private int _next;

    public EndpointPicker(ServicePortRule rule) => Update(rule);

    /// <summary>Whether any endpoint can be picked (else the port refuses new connections).</summary>
    public bool HasEndpoints
    {
        get
        {
            lock (_lock) return _usable.Count > 0;
        }
    }

    /// <summary>The endpoints new connections go to: the ready ones, else the serving terminating ones.</summary>
    public static IReadOnlyList<ProxyEndpoint> Usable(IReadOnlyList<ProxyEndpoint> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var ready = endpoints.Where(e => e.Ready).ToList();
        return ready.Count > 0 ? ready : endpoints.Where(e => e.Serving && e.Terminating).ToList();
    }

    /// <summary>Takes the rule's current endpoints and affinity; affinities to endpoints no longer usable are dropped.</summary>
    public void Update(ServicePortRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        lock (_lock)
        {
            _usable = Usable(rule.Endpoints);
            _affinityTimeout = rule.AffinityTimeout;
            var keep = _usable.ToHashSet();
            foreach (var client in _affinity.Where(a => _affinityTimeout is null || !keep.Contains(a.Value.Endpoint)).Select(a => a.Key).ToList())
                _affinity.Remove(client);
        }
    }

    /// <summary>
    /// The endpoint for a new connection of <paramref name="clientIp"/> at <paramref name="now"/>,
    /// skipping <paramref name="failed"/> (endpoints this connection could not reach); null when none is left.
    /// </summary>
    public ProxyEndpoint? Pick(string clientIp, DateTimeOffset now, IReadOnlyCollection<ProxyEndpoint>? failed = null)
    {
        ArgumentNullException.ThrowIfNull(clientIp);
        lock (_lock)
        {
            if (_affinityTimeout is { } timeout && _affinity.TryGetValue(clientIp, out var sticky))
            {
                if (now - sticky.LastUsed < timeout && failed?.Contains(sticky.Endpoint) != true)
                {
                    _affinity[clientIp] = (sticky.Endpoint, now);
                    return sticky.Endpoint;
                }
                _affinity.Remove(clientIp);
            }
            for (var i = 0; i < _usable.Count; i++)
            {
                var candidate = _usable[(_next + i) % _usable.Count];
                if (failed?.Contains(candidate) == true) continue;
                _next = (_next + i + 1) % _usable.Count;
                if (_affinityTimeout is not null) _affinity[clientIp] = (candidate, now);
                return candidate;
            }
            return null;
        }
    }

    /// <summary>Forgets affinities idle longer than the timeout (called now and then, so the table does not grow with every client ever seen).</summary>
    public void ExpireAffinities(DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_affinityTimeout is not { } timeout) return;
            foreach (var client in _affinity.Where(a => now - a.Value.LastUsed >= timeout).Select(a => a.Key).ToList())
                _affinity.Remove(client);
        }
    }
}
