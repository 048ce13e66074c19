using System.Data.Common;
using System.Text.Json.Nodes;
using Akka.Configuration;
using Orchestrator.Cluster.Journal;
using Orchestrator.Cluster.Serialization;
using static Orchestrator.Cluster.Journal.SqlConnections;

namespace Orchestrator.Cluster.Secrets;

/// <summary>
/// Before a node starts: every key that encrypted a Secret value in the journal or the snapshot
/// table must be in its keyring. A node given no key, a new key or another member's key stops
/// here with an error naming the missing key ids, instead of failing each Secret's read later (or
/// writing new values under a key the others lack). It only reads.
/// </summary>
public static class SealedJournalCheck
{
    /// <param name="config">The node's configuration over the SQL plugin's defaults (journal and snapshot store blocks).</param>
    /// <param name="keyring">The keys the node starts with.</param>
    /// <returns>How many sealed values were found (all readable).</returns>
    public static int Run(Config config, SecretKeyring keyring)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(keyring);
        var journal = JournalSchema.Of(config);
        var snapshots = config.GetConfig("akka.persistence.snapshot-store.sql");
        var mapping = TableMapping(snapshots).GetConfig("snapshot");
        var columns = mapping.GetConfig("columns");
        var snapshotTable = Table(mapping.GetString("table-name"), TableMapping(snapshots).GetString("schema-name"));
        var keys = new Dictionary<string, int>(StringComparer.Ordinal);
        var found = Scan(journal.Connect, $"SELECT {journal.Message} FROM {journal.Journal} WHERE {journal.Manifest} LIKE @sealed", keys)
            + Scan(Factory(snapshots), $"SELECT {Quote(columns.GetString("snapshot"))} FROM {snapshotTable} WHERE {Quote(columns.GetString("manifest"))} LIKE @sealed", keys);
        var missing = keys.Where(k => !keyring.Has(k.Key)).ToList();
        if (missing.Count > 0)
        {
            throw new SecretKeyException(
                $"the journal holds {missing.Sum(k => k.Value)} Secret values encrypted under key(s) {string.Join(", ", missing.Select(k => k.Key))}, "
                + $"which this node does not have (it has {string.Join(", ", keyring.KeyIds)}). Start it with those keys too (orchestrator.secrets.key-file or ORCHESTRATOR_SECRET_KEYS; "
                + "in a cluster every member needs the same keys); nothing was read or changed");
        }
        return found;
    }

    private static int Scan(Func<DbConnection> connect, string sql, Dictionary<string, int> keys)
    {
        using var connection = connect();
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        AddParameter(command, "@sealed", OrchestratorSerializer.SealedPrefix + "%");
        var found = 0;
        try
        {
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                found++;
                var id = JsonNode.Parse(reader.GetFieldValue<byte[]>(0)) is JsonObject payload ? SecretSealer.KeyIdOf(payload) : null;
                id ??= "(none: damaged entry)";
                keys[id] = keys.GetValueOrDefault(id) + 1;
            }
        }
        catch (DbException e) when (IsMissingTable(e))
        {
            return 0; // nothing was ever written: the plugin creates its tables on first use
        }
        return found;
    }
}
