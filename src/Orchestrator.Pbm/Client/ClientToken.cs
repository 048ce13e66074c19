namespace Orchestrator.Pbm.Client;

/// <summary>
/// The token pbm presents: <c>ORCHESTRATOR_TOKEN</c>, or the trimmed content of the file named
/// by <c>ORCHESTRATOR_TOKEN_FILE</c>. Never printed.
/// </summary>
internal static class ClientToken
{
    public const string TokenVariable = "ORCHESTRATOR_TOKEN";
    public const string TokenFileVariable = "ORCHESTRATOR_TOKEN_FILE";

    /// <param name="environment">Reads an environment variable (pbm's one reader is <see cref="PbmApplication"/>'s).</param>
    public static string? Read(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var token = environment(TokenVariable);
        if (string.IsNullOrWhiteSpace(token) && environment(TokenFileVariable) is { Length: > 0 } path)
        {
            try
            {
                token = File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new TokenUnavailableException($"{TokenFileVariable} names '{path}', which cannot be read: {e.Message}", e);
            }
        }
        token = token?.Trim();
        return string.IsNullOrEmpty(token) ? null : token;
    }
}

/// <summary>The token file named in the environment cannot be read; the message says which and why.</summary>
internal sealed class TokenUnavailableException : Exception
{
    public TokenUnavailableException()
    {
    }

    public TokenUnavailableException(string message) : base(message)
    {
    }

    public TokenUnavailableException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
