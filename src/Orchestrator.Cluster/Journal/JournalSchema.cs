using System.Data.Common;
using Akka.Configuration;
using static Orchestrator.Cluster.Journal.SqlConnections;

namespace Orchestrator.Cluster.Journal;

/// <summary>
/// Where Akka.Persistence.Sql keeps the journal, read from its own settings
/// (<c>akka.persistence.journal.sql</c>: connection, table mapping, tag mode): the quoted table and
/// column names the few plain-SQL reads here need, and the condition that selects the events
/// carrying a tag in the mode the journal writes them.
/// </summary>
internal sealed class JournalSchema
{
    /// <summary>From the whole configuration (its <c>akka.persistence.journal.sql</c>).</summary>
    public static JournalSchema Of(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new JournalSchema(config.GetConfig("akka.persistence.journal.sql"));
    }

    /// <summary>From the journal plugin's own configuration block.</summary>
    public JournalSchema(Config journal)
    {
        ArgumentNullException.ThrowIfNull(journal);
        Connect = Factory(journal);
        var mapping = TableMapping(journal);
        var schema = mapping.GetString("schema-name");
        var table = mapping.GetConfig("journal");
        var columns = table.GetConfig("columns");
        Journal = Table(table.GetString("table-name"), schema);
        Ordering = Quote(columns.GetString("ordering"));
        PersistenceId = Quote(columns.GetString("persistence-id"));
        SequenceNr = Quote(columns.GetString("sequence-number"));
        Tags = Quote(columns.GetString("tags"));
        Manifest = Quote(columns.GetString("manifest"));
        Message = Quote(columns.GetString("message"));
        var tag = mapping.GetConfig("tag");
        var tagColumns = tag.GetConfig("columns");
        TagTable = Table(tag.GetString("table-name"), schema);
        TagOrderingId = Quote(tagColumns.GetString("ordering-id"));
        TagValue = Quote(tagColumns.GetString("tag-value"));
        TagSeparator = journal.GetString("tag-separator", ";");
        var mode = journal.GetString("tag-write-mode", "TagTable");
        TagsInColumn = string.Equals(mode, "Csv", StringComparison.OrdinalIgnoreCase);
        if (!TagsInColumn && !string.Equals(mode, "TagTable", StringComparison.OrdinalIgnoreCase))
            throw new ConfigurationException($"akka.persistence.journal.sql.tag-write-mode = {mode} is not supported here: use Csv or TagTable");
    }

    public Func<DbConnection> Connect { get; }

    public string Journal { get; }

    public string Ordering { get; }

    public string PersistenceId { get; }

    public string SequenceNr { get; }

    /// <summary>The journal's manifest column (the serializer's manifest of each event).</summary>
    public string Manifest { get; }

    /// <summary>The journal's payload column (the serialized event).</summary>
    public string Message { get; }

    /// <summary>The journal's tag column (Csv mode: ";tag;").</summary>
    public string Tags { get; }

    public string TagTable { get; }

    public string TagOrderingId { get; }

    public string TagValue { get; }

    public string TagSeparator { get; }

    /// <summary>True when events carry their tags in the journal's tag column (Csv), false for the tag table.</summary>
    public bool TagsInColumn { get; }

    /// <summary>The tag column's value for an event with this one tag.</summary>
    public string CsvOf(string tag) => TagSeparator + tag + TagSeparator;

    /// <summary>
    /// SQL for the ordering of the newest event carrying the tag given as <c>@tag</c> (no row when
    /// there is none). In Csv mode it walks the primary key backwards to the first tagged row.
    /// </summary>
    public string NewestTaggedSql => TagsInColumn
        ? $"SELECT {Ordering} FROM {Journal} WHERE {Tags} LIKE @tag ESCAPE '\\' ORDER BY {Ordering} DESC LIMIT 1"
        : $"SELECT MAX({TagOrderingId}) FROM {TagTable} WHERE {TagValue} = @tag";

    /// <summary>The value of <c>@tag</c> for <see cref="NewestTaggedSql"/>.</summary>
    public string NewestTaggedParameter(string tag) => TagsInColumn ? "%" + EscapeLike(CsvOf(tag)) + "%" : tag;

    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
