namespace Orchestrator.Pbm.Client;

/// <summary>
/// The token pbm presents: <c>ORCHESTRATOR_TOKEN</c>, or the trimmed content of the file named
/// by <c>ORCHESTRATOR_TOKEN_FILE</c>. Never printed.
/// </summary>
internal static class ClientToken
{
    public const string TokenVariable = "ORCHESTRATOR_TOKEN";
    public const string TokenFileVariable = "ORCHESTRATOR_TOKEN_FILE";

    public static string? Read(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var token = environment(TokenVariable);
        if (string.IsNullOrWhiteSpace(token) && environment(TokenFileVariable) is { Length: > 0 } path)
            token = File.ReadAllText(path);
        token = token?.Trim();
        return string.IsNullOrEmpty(token) ? null : token;
    }
}
