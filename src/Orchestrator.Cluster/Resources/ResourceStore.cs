using System.Text.Json.Nodes;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Orchestrator.Cluster.Index;
using Orchestrator.Cluster.Journal;
using Orchestrator.Cluster.Services;
using Orchestrator.Domain.Namespaces;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.ServiceAllocations;
using Orchestrator.Domain.Services;

namespace Orchestrator.Cluster.Resources;

/// <summary>
/// The control plane's store as the API server, the command host and the controllers use it:
/// writes and gets go to the object's sharded entity (the single writer of that object, wherever
/// in the cluster it lives); lists and watches go to this member's journal-fed index. Every
/// failure surfaces as an <see cref="ApiErrorException"/> carrying the Kubernetes status.
/// </summary>
/// <remarks>
/// Building a store starts nothing: it finds the regions and the index when first used, so it can
/// be built (for instance by the DI container) before the actor system has started them.
/// </remarks>
public sealed class ResourceStore
{
    private readonly ActorSystem system;
    private readonly ResourceRegions regions;
    private readonly IRequiredActor<ResourceIndex> index;
    private readonly IJournalPositions positions;
    private readonly TimeSpan askTimeout;

    /// <param name="system">This member's actor system.</param>
    /// <param name="regions">The shard region of each kind.</param>
    /// <param name="index">This member's <see cref="ResourceIndex"/>, as the actor registry holds it.</param>
    /// <param name="positions">Reads the journal position of a write and the journal head.</param>
    /// <param name="askTimeout">How long an entity or the index may take to answer.</param>
    /// <param name="serviceRanges">Where Services get their ClusterIPs and NodePorts (default: <see cref="ServiceRanges.Default"/>).</param>
    public ResourceStore(ActorSystem system, ResourceRegions regions, IRequiredActor<ResourceIndex> index, IJournalPositions positions, TimeSpan askTimeout, ServiceRanges? serviceRanges = null)
    {
        this.system = system;
        this.regions = regions;
        this.index = index;
        this.positions = positions;
        this.askTimeout = askTimeout;
        ServiceAddresses = new ServiceAddressAllocator(this, serviceRanges ?? ServiceRanges.Default);
    }

    /// <summary>
    /// Whether this member's journal answers. While it does not, writes are refused at once with
    /// 503 (not applied) instead of waiting out the ask timeout, and a write that times out says its
    /// outcome is unknown.
    /// </summary>
    public JournalHealth Journal { get; init; } = JournalHealth.AlwaysAvailable;

    /// <summary>The Retry-After given with answers about an unavailable journal (its probe runs every second).</summary>
    public const int JournalRetryAfterSeconds = 2;

    /// <summary>Grants new Services their ClusterIP and NodePorts and takes them back on delete.</summary>
    public ServiceAddressAllocator ServiceAddresses { get; }

    public Task<JsonObject> Get(ResourceKind kind, string ns, string name, CancellationToken ct = default) =>
        Send(kind, new GetResource(Key(kind, ns, name)), ct);

    public Task<JsonObject> Create(ResourceKind kind, string ns, JsonObject obj, CancellationToken ct = default) =>
        Create(kind, ns, obj, dryRun: false, ct);

    /// <param name="dryRun">Admit and decide, answer the object that would be stored, store nothing (<c>dryRun=All</c>);
    /// a Service's ClusterIP and NodePorts are then neither granted nor checked against others.</param>
    public async Task<JsonObject> Create(ResourceKind kind, string ns, JsonObject obj, bool dryRun, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(obj);
        var name = obj.Name();
        if (name.Length == 0)
        {
            if (obj.Metadata().GetString("generateName") is { Length: > 0 } prefix)
            {
                name = prefix + RandomSuffix();
                obj.Metadata()["name"] = name;
            }
            else
            {
                throw new ApiErrorException(ApiError.Invalid(kind, "", [new ApiErrorCause("FieldValueRequired", "name or generateName is required", "metadata.name")]));
            }
        }
        if (kind.Namespaced) await RequireActiveNamespace(ns, ct);
        if (kind != ServiceKind.Instance || dryRun) return await Send(kind, new CreateResource(Key(kind, ns, name), obj, dryRun), ct);
        obj = (JsonObject)obj.DeepClone();
        var granted = await ServiceAddresses.Allocate(ns, obj, ct);
        try
        {
            return await Send(kind, new CreateResource(Key(kind, ns, name), obj), ct);
        }
        catch (ApiErrorException e) when (e.Error.Code is >= 400 and < 500)
        {
            // Refused (invalid, exists already): the values go back. After a timeout or a journal
            // outage the create may still have happened; the repair loop frees them if not.
            await ServiceAddresses.Release(granted, CancellationToken.None);
            throw;
        }
    }

    public Task<JsonObject> Replace(ResourceKind kind, string ns, string name, JsonObject obj, Subresource subresource = Subresource.Main, CancellationToken ct = default) =>
        Replace(kind, ns, name, obj, subresource, dryRun: false, ct);

    /// <param name="dryRun">Decide and answer, store nothing (<c>dryRun=All</c>).</param>
    public Task<JsonObject> Replace(ResourceKind kind, string ns, string name, JsonObject obj, Subresource subresource, bool dryRun, CancellationToken ct) =>
        Send(kind, new ReplaceResource(Key(kind, ns, name), obj, subresource, dryRun), ct);

    public Task<JsonObject> Patch(ResourceKind kind, string ns, string name, PatchType type, JsonNode patch, Subresource subresource = Subresource.Main, string change = "patched", CancellationToken ct = default) =>
        Patch(kind, ns, name, type, patch, subresource, change, dryRun: false, ct);

    /// <param name="dryRun">Decide and answer, store nothing (<c>dryRun=All</c>).</param>
    public Task<JsonObject> Patch(ResourceKind kind, string ns, string name, PatchType type, JsonNode patch, Subresource subresource, string change, bool dryRun, CancellationToken ct) =>
        Send(kind, new PatchResource(Key(kind, ns, name), type, patch, subresource, change, dryRun), ct);

    public Task<JsonObject> Delete(ResourceKind kind, string ns, string name, DeleteRequest request, CancellationToken ct = default) =>
        Delete(kind, ns, name, request, dryRun: false, ct);

    /// <param name="dryRun">Decide and answer, store nothing (<c>dryRun=All</c>).</param>
    public Task<JsonObject> Delete(ResourceKind kind, string ns, string name, DeleteRequest request, bool dryRun, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(kind);
        if (NamespaceRules.RefuseDelete(kind, name) is { } refused) throw new ApiErrorException(refused);
        if (kind != ServiceKind.Instance || dryRun) return Send(kind, new DeleteResource(Key(kind, ns, name), request, dryRun), ct);
        return DeleteService(ns, name, request, ct);
    }

    private async Task<JsonObject> DeleteService(string ns, string name, DeleteRequest request, CancellationToken ct)
    {
        var deleted = await Send(ServiceKind.Instance, new DeleteResource(Key(ServiceKind.Instance, ns, name), request), ct);
        // Gone at once (no finalizers): its values are free. One kept by a finalizer is freed by the repair loop once gone.
        if (!deleted.IsDeleting()) await ServiceAddresses.ReleaseHeldBy(deleted, CancellationToken.None);
        return deleted;
    }

    public Task<JsonObject> Bind(string ns, string podName, string nodeName, CancellationToken ct = default) =>
        Send(Domain.Pods.PodKind.Instance, new BindPod(Key(Domain.Pods.PodKind.Instance, ns, podName), nodeName), ct);

    /// <summary>
    /// A consistent list (as Kubernetes serves by default): the index answers once it has seen the
    /// journal up to its head at the time of the call, so a list never misses an acknowledged write.
    /// </summary>
    public async Task<ObjectList> List(ObjectFilter filter, CancellationToken ct = default)
    {
        var head = await Head(ct);
        return await AskIndex<ObjectList>(new ListObjects(filter, head), ct);
    }

    /// <summary>
    /// What this member's index holds now, without asking the journal (a list with
    /// <c>resourceVersion=0</c>, as Kubernetes serves it from its watch cache): served while the
    /// journal is down too, possibly missing the latest writes.
    /// </summary>
    public Task<ObjectList> ListCached(ObjectFilter filter, CancellationToken ct = default) =>
        AskIndex<ObjectList>(new ListObjects(filter, 0), ct);

    /// <summary>The journal's head: the resourceVersion of the latest write (503 while the journal does not answer).</summary>
    public async Task<long> Head(CancellationToken ct = default)
    {
        try
        {
            var head = await positions.Head(ct);
            Journal.Succeeded();
            return head;
        }
        catch (Exception e) when (SqlConnections.IsUnavailable(e))
        {
            Journal.Failed();
            throw new ApiErrorException(ApiError.JournalUnavailableForRead($"the journal head could not be read: {e.Message}", JournalRetryAfterSeconds));
        }
    }

    /// <summary>Streams watch events until <paramref name="ct"/> is cancelled or the watch ends.</summary>
    public async IAsyncEnumerable<WatchEvent> Watch(ObjectFilter filter, long? fromResourceVersion, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var channel = Channel.CreateBounded<object>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
        var subscriber = system.ActorOf(Props.Create(() => new WatchSubscriber(channel.Writer)));
        try
        {
            index.ActorRef.Tell(new Watch(filter, fromResourceVersion, subscriber));
            await foreach (var item in channel.Reader.ReadAllAsync(ct))
            {
                switch (item)
                {
                    case WatchEvent e:
                        yield return e;
                        break;
                    case WatchEnded ended:
                        throw new ApiErrorException(ended.Error);
                }
            }
        }
        finally
        {
            index.ActorRef.Tell(new Unwatch(subscriber));
            subscriber.Tell(PoisonPill.Instance);
        }
    }

    private async Task RequireActiveNamespace(string ns, CancellationToken ct)
    {
        JsonObject? namespaceObject;
        try
        {
            namespaceObject = await Get(NamespaceKind.Instance, "", ns, ct);
        }
        catch (ApiErrorException e) when (e.Error.Code == 404)
        {
            namespaceObject = null;
        }
        if (NamespaceRules.RefuseCreateIn(ns, namespaceObject) is { } refused) throw new ApiErrorException(refused);
    }

    private static ResourceKey Key(ResourceKind kind, string ns, string name) => new(kind.Kind, kind.Namespaced ? ns : "", name);

    private static string RandomSuffix()
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Create(5, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = alphabet[System.Security.Cryptography.RandomNumberGenerator.GetInt32(alphabet.Length)];
        });
    }

    private async Task<JsonObject> Send(ResourceKind kind, IResourceCommand command, CancellationToken ct)
    {
        var write = command is not GetResource;
        if (write && Journal.UnavailableSince is { } since)
            throw new ApiErrorException(ApiError.JournalUnavailableNotApplied($"it has not answered since {since:u}", JournalRetryAfterSeconds));
        ResourceReply reply;
        try
        {
            reply = await regions.For(kind).Ask<ResourceReply>(command, askTimeout, ct);
        }
        catch (AskTimeoutException)
        {
            var late = $"the object {command.Key} did not answer within {askTimeout.TotalSeconds:0}s{(Journal.Available ? "" : " (the journal is unavailable)")}";
            throw new ApiErrorException(write
                ? ApiError.WriteOutcomeUnknown(late, JournalRetryAfterSeconds)
                : Journal.Available ? ApiError.Timeout(late) : ApiError.JournalUnavailableForRead(late, JournalRetryAfterSeconds));
        }
        if (reply.Error is not null) throw new ApiErrorException(reply.Error);
        return reply.Object ?? throw new ApiErrorException(ApiError.Internal("the entity answered without an object"));
    }

    private async Task<T> AskIndex<T>(object message, CancellationToken ct)
    {
        try
        {
            return await index.ActorRef.Ask<T>(message, askTimeout + TimeSpan.FromSeconds(1), ct);
        }
        catch (AskTimeoutException)
        {
            throw new ApiErrorException(ApiError.Timeout("the index did not answer in time"));
        }
    }

    /// <summary>Bridges watch events from the index actor into a channel the HTTP response reads.</summary>
    private sealed class WatchSubscriber : ReceiveActor
    {
        public WatchSubscriber(ChannelWriter<object> writer)
        {
            ReceiveAsync<WatchEvent>(async e => await writer.WriteAsync(e));
            Receive<WatchEnded>(e => writer.TryWrite(e));
        }
    }
}

/// <summary>
/// The shard region of each kind, looked up in <see cref="ClusterSharding"/> on first use (the
/// regions are started by <c>ControlPlaneHosting.WithResourceRegions</c>).
/// </summary>
public sealed class ResourceRegions(ActorSystem system)
{
    private IReadOnlyDictionary<string, IActorRef>? _regions;

    /// <exception cref="InvalidOperationException">The kind has no region.</exception>
    /// <exception cref="ArgumentException">The regions have not been started yet.</exception>
    public IActorRef For(ResourceKind kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        _regions ??= ResourceKinds.All.ToDictionary(k => k.Kind, k => ClusterSharding.Get(system).ShardRegion(k.Kind));
        return _regions.TryGetValue(kind.Kind, out var region) ? region : throw new InvalidOperationException($"no shard region for {kind.Kind}");
    }
}
