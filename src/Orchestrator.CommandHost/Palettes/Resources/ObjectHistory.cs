using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Orchestrator.Domain.Resources;

namespace Orchestrator.CommandHost.Palettes.Resources;

/// <summary>One change of an object as its journal holds it.</summary>
/// <param name="Time">When the change was written, when the journal recorded it.</param>
/// <param name="ResourceVersion">The object's resourceVersion after the change (its journal ordering).</param>
/// <param name="Change">created, deleted, or how it was updated: replaced, patched, status, scaled, ...</param>
/// <param name="Summary">What changed, in short; never a Secret's values.</param>
/// <param name="Object">The whole object after the change (its last state for a delete); a Secret's values included, so never print it as it is.</param>
internal sealed record ObjectChange(DateTimeOffset? Time, long ResourceVersion, string Change, string Summary, JsonObject? Object = null);

/// <summary>
/// Reads every change ever made to one object from the journal (its persistence id is
/// <see cref="ResourceKey.PersistenceId"/>), the history kubectl cannot show: the store keeps
/// only the current object, the journal keeps all of them.
/// </summary>
internal sealed class ObjectHistory(ActorSystem system)
{
    public async Task<IReadOnlyList<ObjectChange>> ReadAsync(ResourceKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var journal = PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
        using var materializer = system.Materializer(namePrefix: "pbm-history");
        var envelopes = await journal.CurrentEventsByPersistenceId(key.PersistenceId, 0, long.MaxValue)
            .RunWith(Sink.Seq<EventEnvelope>(), materializer)
            .WaitAsync(cancellationToken);

        var changes = new List<ObjectChange>();
        JsonObject? previous = null;
        foreach (var envelope in envelopes)
        {
            if (envelope.Event is not IResourceEvent resourceEvent)
                continue;
            var resourceVersion = envelope.Offset is Sequence sequence ? sequence.Value : envelope.SequenceNr;
            var (change, summary) = resourceEvent switch
            {
                ResourceCreated created => ("created", ChangeSummary.Describe(null, created.Object)),
                ResourceUpdated updated => (updated.Change, ChangeSummary.Describe(previous, updated.Object)),
                ResourceDeleted => ("deleted", ""),
                _ => ("changed", ""),
            };
            changes.Add(new ObjectChange(TimeOf(envelope.Timestamp), resourceVersion, change, summary, resourceEvent.Object));
            previous = resourceEvent is ResourceDeleted ? null : resourceEvent.Object;
        }
        return changes;
    }

    /// <summary>
    /// The write time of an envelope: Akka.Persistence.Sql stores <see cref="DateTime.Ticks"/> (UTC);
    /// a journal that stores Unix milliseconds is read as such; anything else is unknown.
    /// </summary>
    public static DateTimeOffset? TimeOf(long timestamp)
    {
        var ticksFrom = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
        if (timestamp >= ticksFrom && timestamp <= DateTime.MaxValue.Ticks)
            return new DateTimeOffset(timestamp, TimeSpan.Zero);
        var millisecondsFrom = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        if (timestamp >= millisecondsFrom && timestamp <= DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
            return DateTimeOffset.FromUnixTimeMilliseconds(timestamp);
        return null;
    }
}
