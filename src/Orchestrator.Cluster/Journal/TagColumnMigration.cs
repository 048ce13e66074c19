using System.Data.Common;
using Akka.Configuration;
using static Orchestrator.Cluster.Journal.SqlConnections;

namespace Orchestrator.Cluster.Journal;

/// <summary>
/// Journals written by earlier versions kept event tags in Akka.Persistence.Sql's tag table only
/// (and the plugin created their journal table without a tag column); the journal now writes them
/// in the journal's own tag column (<c>tag-write-mode = Csv</c>: one
/// insert per batch instead of one per event, and no join to read by tag), and the index reads
/// them from there. This adds the column where it is missing and copies the index's tag of every such older event into the column, in one
/// statement, so nothing written before the upgrade disappears from the index. Idempotent and
/// cheap once done (the newest tag-table row is checked first); members starting at once just
/// repeat it. The tag table is left as it was.
/// </summary>
internal static class TagColumnMigration
{
    /// <summary>Copies the tags; returns how many events were updated.</summary>
    public static int Run(Config config, string tag)
    {
        var schema = JournalSchema.Of(config);
        if (!schema.TagsInColumn) return 0;
        using var connection = schema.Connect();
        connection.Open();
        try
        {
            EnsureTagColumn(connection, schema);
            using var check = connection.CreateCommand();
            check.CommandText =
                $"SELECT j.{schema.Tags} FROM {schema.Journal} j WHERE j.{schema.Ordering} = " +
                $"(SELECT MAX(t.{schema.TagOrderingId}) FROM {schema.TagTable} t WHERE t.{schema.TagValue} = @tag)";
            AddParameter(check, "@tag", tag);
            using (var reader = check.ExecuteReader())
            {
                // No tag-table row (a new journal), or the newest one already copied: nothing to do.
                if (!reader.Read() || !reader.IsDBNull(0) && reader.GetString(0).Length > 0) return 0;
            }
            using var update = connection.CreateCommand();
            update.CommandText =
                $"UPDATE {schema.Journal} SET {schema.Tags} = @csv " +
                $"WHERE ({schema.Tags} IS NULL OR {schema.Tags} = '') " +
                $"AND {schema.Ordering} IN (SELECT {schema.TagOrderingId} FROM {schema.TagTable} WHERE {schema.TagValue} = @tag)";
            AddParameter(update, "@csv", schema.CsvOf(tag));
            AddParameter(update, "@tag", tag);
            return update.ExecuteNonQuery();
        }
        catch (DbException e) when (IsMissingTable(e))
        {
            return 0; // a journal that was never written: the plugin creates its tables on first use
        }
    }

    private static void EnsureTagColumn(DbConnection connection, JournalSchema schema)
    {
        try
        {
            using var probe = connection.CreateCommand();
            // Qualified: SQLite reads an unknown double-quoted name alone as a string, not as an error.
            probe.CommandText = $"SELECT j.{schema.Tags} FROM {schema.Journal} j WHERE 1 = 0";
            probe.ExecuteNonQuery();
        }
        catch (DbException e) when (IsMissingColumn(e))
        {
            try
            {
                using var add = connection.CreateCommand();
                // The type and length the plugin gives the column when it creates the table itself.
                add.CommandText = $"ALTER TABLE {schema.Journal} ADD COLUMN {schema.Tags} VARCHAR(100)";
                add.ExecuteNonQuery();
            }
            catch (DbException raced) when (IsDuplicateColumn(raced))
            {
                // another member starting at the same time added it
            }
        }
    }
}
