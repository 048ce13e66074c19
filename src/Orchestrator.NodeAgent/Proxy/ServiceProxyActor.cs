using System.Net;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Event;
using Orchestrator.Cluster.Index;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Selectors;
using Orchestrator.Domain.ServiceProxy;

namespace Orchestrator.NodeAgent.Proxy;

/// <summary>
/// Feeds <see cref="ServiceProxy"/>: watches Services, EndpointSlices and Nodes through the store
/// and, on each change, gives the proxy the rules of the Service it concerns
/// (<see cref="ProxyRules.For"/>), one change at a time. Node changes tell the dialer where other
/// nodes' relays are. A watch that ends is started again a second later.
/// <code>
/// starting --started--> watching --change--> apply (in order) --> watching
///     \--failed: retried every 5 s
/// </code>
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The token source is disposed in PostStop, the actor's end of life.")]
public sealed class ServiceProxyActor : ReceiveActor, IWithTimers
{
    private sealed record Start;
    private sealed record Started;
    private sealed record StartFailed(Exception Error);
    private sealed record Seen(string Kind, WatchEvent Event);
    private sealed record WatchFailed(string Kind, Exception Error);
    private sealed record Rewatch(string Kind);

    private readonly INodeAgentStore _store;
    private readonly ServiceProxy _proxy;
    private readonly EndpointDialer _dialer;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<string, JsonObject> _services = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, JsonObject>> _slicesOfService = new(StringComparer.Ordinal);

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(INodeAgentStore store, ServiceProxy proxy, EndpointDialer dialer) =>
        Akka.Actor.Props.Create(() => new ServiceProxyActor(store, proxy, dialer));

    public ServiceProxyActor(INodeAgentStore store, ServiceProxy proxy, EndpointDialer dialer)
    {
        _store = store;
        _proxy = proxy;
        _dialer = dialer;
        Receive<Start>(_ => _proxy.StartAsync(_stopping.Token).PipeTo(Self, success: () => new Started(), failure: e => new StartFailed(e)));
        Receive<StartFailed>(f =>
        {
            _log.Warning("the service proxy cannot start ({0}); retrying in 5 s", f.Error.Message);
            Timers.StartSingleTimer("start", new Start(), TimeSpan.FromSeconds(5));
        });
        Receive<Started>(_ =>
        {
            foreach (var kind in new[] { "Service", "EndpointSlice", "Node" }) StartWatching(kind);
        });
        Receive<Rewatch>(r => StartWatching(r.Kind));
        Receive<WatchFailed>(f =>
        {
            _log.Warning("the service proxy's {0} watch ended ({1}); watching again in 1 s", f.Kind, f.Error.Message);
            Timers.StartSingleTimer("watch-" + f.Kind, new Rewatch(f.Kind), TimeSpan.FromSeconds(1));
        });
        ReceiveAsync<Seen>(OnSeen);
    }

    protected override void PreStart() => Self.Tell(new Start());

    protected override void PostStop()
    {
        _stopping.Cancel();
        _proxy.Dispose();
        try
        {
            _proxy.RemoveAddressesAsync(CancellationToken.None).Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        _stopping.Dispose();
    }

    private async Task OnSeen(Seen seen)
    {
        var obj = seen.Event.Object;
        var deleted = seen.Event.Type == WatchEventType.Deleted;
        switch (seen.Kind)
        {
            case "Node":
                var relay = obj.Annotations().GetValueOrDefault(ServiceProxySettings.RelayAnnotation);
                _dialer.SetRelay(obj.Name(), !deleted && IPEndPoint.TryParse(relay ?? "", out var endpoint) ? endpoint : null);
                return;
            case "Service":
                var key = obj.Namespace() + "/" + obj.Name();
                if (deleted) _services.Remove(key);
                else _services[key] = obj;
                await Apply(key);
                return;
            default:
                if (!obj.Labels().TryGetValue(ProxyRules.ServiceNameLabel, out var service)) return;
                var serviceKey = obj.Namespace() + "/" + service;
                if (!_slicesOfService.TryGetValue(serviceKey, out var slices)) _slicesOfService[serviceKey] = slices = new(StringComparer.Ordinal);
                if (deleted) slices.Remove(obj.Name());
                else slices[obj.Name()] = obj;
                if (slices.Count == 0) _slicesOfService.Remove(serviceKey);
                await Apply(serviceKey);
                return;
        }
    }

    private async Task Apply(string serviceKey)
    {
        var rules = _services.TryGetValue(serviceKey, out var service)
            ? ProxyRules.For(service, _slicesOfService.GetValueOrDefault(serviceKey)?.Values ?? Enumerable.Empty<JsonObject>())
            : [];
        try
        {
            await _proxy.ApplyAsync(serviceKey, rules, _stopping.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    private void StartWatching(string kind)
    {
        var self = Self;
        var store = _store;
        var ct = _stopping.Token;
        var filter = new ObjectFilter(kind, null, LabelSelector.Everything, FieldSelector.Everything);
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in store.Watch(filter, null, ct))
                    self.Tell(new Seen(kind, e));
                self.Tell(new WatchFailed(kind, new InvalidOperationException("the watch ended")));
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                self.Tell(new WatchFailed(kind, e));
            }
        }, ct);
    }
}
