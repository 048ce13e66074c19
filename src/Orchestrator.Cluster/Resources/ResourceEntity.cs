using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Orchestrator.Cluster.Journal;
using Orchestrator.Domain.Resources;

namespace Orchestrator.Cluster.Resources;

/// <summary>
/// One object of one kind: a sharded persistent actor. Thin by design: it asks the pure
/// <see cref="ResourceState"/> to decide, persists the event (tagged for the index), learns the
/// event's journal position (its resourceVersion), applies it and replies once.
///
/// <code>
///   Ready ──command──► decide ──refused / no change──► reply ──► Ready
///                        │
///                        └─event──► Persisting ──written──► Positioning ──position──► apply, reply, snapshot? ──► Ready
///   (commands that arrive while Persisting or Positioning are stashed)
/// </code>
/// </summary>
public sealed class ResourceEntity : ReceivePersistentActor, IWithStash
{
    public sealed record Settings(string Tag, int SnapshotEvery, TimeSpan PassivateAfter)
    {
        /// <summary>Told of every failed and successful write, so the member knows whether its journal answers.</summary>
        public JournalHealth Journal { get; init; } = JournalHealth.AlwaysAvailable;
    }

    private sealed record Positioned(IResourceEvent Event, long Position, IActorRef ReplyTo);

    private sealed record PositionFailed(Exception Cause, IActorRef? ReplyTo);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IJournalPositions _positions;
    private readonly Settings _settings;
    private readonly TimeProvider _time;
    private ResourceState _state;

    public override string PersistenceId { get; }

    public static Props Props(ResourceKind kind, string entityId, IJournalPositions positions, Settings settings, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new ResourceEntity(kind, entityId, positions, settings, time));

    public ResourceEntity(ResourceKind kind, string entityId, IJournalPositions positions, Settings settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(kind);
        var key = ResourceKey.FromEntityId(kind.Kind, entityId);
        PersistenceId = key.PersistenceId;
        _positions = positions;
        _settings = settings;
        _time = time;
        _state = ResourceState.Empty(kind, key);

        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is ResourceSnapshot s) _state = _state with { Current = s.Object, ResourceVersion = s.ResourceVersion };
        });
        Recover<IResourceEvent>(e => _state = _state.Apply(e, _state.ResourceVersion));
        Recover<RecoveryCompleted>(_ =>
        {
            if (LastSequenceNr == 0) return;
            // The last event's position is its resourceVersion; look it up once per activation.
            BecomePositioning();
            _positions.PositionOf(PersistenceId, LastSequenceNr)
                .PipeTo(Self, success: p => new Positioned(null!, p, ActorRefs.Nobody), failure: e => new PositionFailed(e, null));
        });

        Ready();
    }

    protected override void PreStart()
    {
        Context.SetReceiveTimeout(_settings.PassivateAfter);
        base.PreStart();
    }

    private void Ready()
    {
        Command<GetResource>(_ => Reply(_state.Get()));
        Command<CreateResource>(c => Handle(_state.Create(c.Object, NewContext()), c.DryRun));
        Command<ReplaceResource>(c => Handle(_state.Replace(c.Object, c.Subresource, NewContext()), c.DryRun));
        Command<PatchResource>(c => Handle(_state.Patch(c.PatchType, c.Patch, c.Subresource, NewContext(), c.Change), c.DryRun));
        Command<DeleteResource>(c => Handle(_state.Delete(c.Request, NewContext()), c.DryRun));
        Command<BindPod>(c => Handle(_state.Bind(c.NodeName, NewContext())));
        Command<ReceiveTimeout>(_ => Context.Parent.Tell(new Passivate(PoisonPill.Instance)));
        Command<SaveSnapshotSuccess>(s => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(f => _log.Warning(f.Cause, "snapshot of {0} failed; recovery will replay more events", PersistenceId));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning(f.Cause, "deleting old snapshots of {0} failed", PersistenceId));
    }

    private DecisionContext NewContext() => new(_time.GetUtcNow(), Guid.NewGuid().ToString());

    private void Reply(Decision decision) => Sender.Tell(new ResourceReply(decision.Result, decision.Error));

    private void Handle(Decision decision, bool dryRun = false)
    {
        // A dry run answers what was decided; the decision is pure, so nothing changed.
        if (decision.Event is null || dryRun)
        {
            Reply(decision);
            return;
        }
        var replyTo = Sender;
        Persist(new Tagged(decision.Event, [_settings.Tag]), _ =>
        {
            _settings.Journal.Succeeded();
            BecomePositioning();
            _positions.PositionOf(PersistenceId, LastSequenceNr)
                .PipeTo(Self, success: p => new Positioned(decision.Event, p, replyTo), failure: e => new PositionFailed(e, replyTo));
        });
    }

    private void BecomePositioning()
    {
        BecomeStacked(() =>
        {
            Command<Positioned>(p =>
            {
                if (p.Event is not null) _state = _state.Apply(p.Event, p.Position);
                else _state = _state with { ResourceVersion = p.Position };
                p.ReplyTo.Tell(new ResourceReply(_state.Visible ?? p.Event?.Object.WithResourceVersion(p.Position), null));
                if (p.Event is not null && LastSequenceNr % _settings.SnapshotEvery == 0)
                    SaveSnapshot(new ResourceSnapshot(_state.Current, _state.ResourceVersion));
                UnbecomeStacked();
                Stash.UnstashAll();
            });
            Command<PositionFailed>(f =>
            {
                // The event is written but its position is unknown: restart so recovery reads it again.
                _log.Error(f.Cause, "could not read the journal position of {0}; restarting the entity", PersistenceId);
                f.ReplyTo?.Tell(new ResourceReply(null, ApiError.ServiceUnavailable($"the change was stored but its resourceVersion could not be read: {f.Cause.Message}")));
                throw new InvalidOperationException($"journal position of {PersistenceId} unavailable", f.Cause);
            });
            CommandAny(_ => Stash.Stash());
        });
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _log.Error(cause, "persisting event {0} of {1} failed", sequenceNr, PersistenceId);
        _settings.Journal.Failed();
        Sender.Tell(new ResourceReply(null, ApiError.JournalUnavailableNotApplied($"the write failed: {cause.Message}", ResourceStore.JournalRetryAfterSeconds)));
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        _settings.Journal.Failed();
        base.OnRecoveryFailure(reason, message);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _log.Error(cause, "event {0} of {1} was rejected by the journal", sequenceNr, PersistenceId);
        Sender.Tell(new ResourceReply(null, ApiError.Internal($"the journal rejected the write: {cause.Message}")));
        base.OnPersistRejected(cause, @event, sequenceNr);
    }
}
