using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.CommandHost.Internal;

/// <summary>
/// Decides whether a command may run given the token the client presented.
/// <list type="bullet">
/// <item>Host bound to loopback, no token configured: everything runs (only local users can connect).</item>
/// <item>Host bound to loopback, token configured: mutating commands need it.</item>
/// <item>Host bound to any other address: a token must be configured (the host refuses to start
/// otherwise) and every command needs it.</item>
/// </list>
/// A presented token that is wrong is always refused (one presented to a host without a token is ignored). Tokens are compared in constant time and
/// never appear in messages or logs.
/// </summary>
internal sealed class CommandAuthorization
{
    private readonly byte[]? _token;

    public CommandAuthorization(bool boundToLoopback, string? token)
    {
        TokenRequiredForAll = !boundToLoopback;
        if (TokenRequiredForAll && token is null)
            throw new InvalidOperationException(
                "The command host is bound to a non-loopback address, so it needs a token: set " +
                $"{CommandHostSettings.ConfigPath}.token-file or the {CommandHostSettings.TokenEnvironmentVariable} " +
                "environment variable, or bind it to 127.0.0.1.");
        _token = token is null ? null : Encoding.UTF8.GetBytes(token);
    }

    /// <summary>True when every command needs the token.</summary>
    public bool TokenRequiredForAll { get; }

    /// <summary>Null when the command may run, otherwise why not and what to do.</summary>
    public string? Refusal(string commandLine, CommandDefinition command, string? presentedToken)
    {
        var needsToken = TokenRequiredForAll || (command.IsMutating && _token is not null);
        if (presentedToken is not null && _token is not null)
        {
            if (!CryptographicOperations.FixedTimeEquals(_token, Encoding.UTF8.GetBytes(presentedToken)))
                return $"'{commandLine}' refused: the token presented is not this node's token. " +
                       $"Set {CommandHostSettings.TokenEnvironmentVariable} (or ORCHESTRATOR_TOKEN_FILE) for pbm to the node's token.";
            return null;
        }
        if (!needsToken)
            return null;
        var why = TokenRequiredForAll
            ? "this command host is reachable from the network, so every command needs the token"
            : "it changes the cluster, so it needs the token";
        return $"'{commandLine}' refused: {why}. " +
               $"Set {CommandHostSettings.TokenEnvironmentVariable} (or ORCHESTRATOR_TOKEN_FILE, a file holding it) for pbm to the node's token.";
    }
}
