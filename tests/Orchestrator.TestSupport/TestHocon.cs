using System.Text;

namespace Orchestrator.TestSupport;

/// <summary>
/// The HOCON tests run Akka.NET with, from the <c>.conf</c> files of this project's <c>hocon/</c>
/// folder (copied next to every test assembly as <c>test-hocon/</c>). Returned as text, for
/// <c>ConfigurationFactory.ParseString</c>, so this project needs no Akka.NET.
/// </summary>
public static class TestHocon
{
    /// <summary>A one-member cluster in the test process, on loopback with a free port.</summary>
    public static string InProcessCluster() => Read("in-process-cluster");

    /// <summary>Journal, snapshot store and query side on one SQL database, optionally in a schema of its own.</summary>
    public static string SqlJournal(string connectionString, string providerName, string? schemaName = null)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        ArgumentNullException.ThrowIfNull(providerName);
        var values = new StringBuilder("orchestrator-test.journal {\n")
            .Append("  connection-string = ").Append(Quoted(connectionString)).Append('\n')
            .Append("  provider-name = ").Append(Quoted(providerName)).Append('\n');
        if (schemaName is not null) values.Append("  schema-name = ").Append(Quoted(schemaName)).Append('\n');
        values.Append("}\n");
        // Substitutions resolve within one parsed text, so the values go in front of the files.
        return values + Read("sql-journal") + (schemaName is null ? "" : "\n" + Read("sql-journal-schema"));
    }

    private static string Read(string name)
    {
        var file = Path.Combine(AppContext.BaseDirectory, "test-hocon", name + ".conf");
        return File.Exists(file)
            ? File.ReadAllText(file)
            : throw new FileNotFoundException($"{file} is missing: the test project must reference Orchestrator.TestSupport, which copies its hocon/ there", file);
    }

    /// <summary>A HOCON quoted string (JSON's escaping).</summary>
    private static string Quoted(string value) => System.Text.Json.JsonSerializer.Serialize(value);
}
