using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.CommandHost.Protocol;

// The pbm wire protocol: UTF-8 JSON, one message per line ('\n'), over one TCP connection.
// Every message has a "type" discriminator. This file is compiled into the host and the client.
//
//   client                                   host
//     | -- hello {protocolVersion} ----------> |
//     | <- welcome {node, palettes, ...} ----- |   (or error {message} and close)
//     | -- execute {requestId, palette, -----> |
//     |      command, arguments, token?}       |
//     | <- text | table | json {requestId} --- |   zero or more output chunks
//     | -- cancel {requestId} ---------------> |   optional (Ctrl+C): the host cancels the
//     |                                        |   command's CancellationToken
//     | <- completed {requestId, exitCode, --- |   exactly one per execute, always last
//     |      error?}                           |
//     | -- execute ... (next command) -------> |
//
// Invalid transitions: an execute before hello, a second hello, or a line that is not a
// message make the host answer `error` and close the connection. A cancel for an unknown or
// finished request is ignored (it races with completion by design).

/// <summary>Base of everything that crosses the wire; the "type" property names the concrete message.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(ClientHello), "hello")]
[JsonDerivedType(typeof(HostWelcome), "welcome")]
[JsonDerivedType(typeof(ExecuteCommand), "execute")]
[JsonDerivedType(typeof(CancelCommand), "cancel")]
[JsonDerivedType(typeof(TextOutput), "text")]
[JsonDerivedType(typeof(TableOutputMessage), "table")]
[JsonDerivedType(typeof(JsonOutput), "json")]
[JsonDerivedType(typeof(CommandCompleted), "completed")]
[JsonDerivedType(typeof(ProtocolError), "error")]
public abstract record ProtocolMessage
{
    /// <summary>
    /// The protocol version this build speaks; the host refuses clients of another one.
    /// Version 2: switches may be positional and may name a local file the client sends the
    /// content of (<see cref="SwitchDefinition.IsPositional"/>, <see cref="SwitchDefinition.IsLocalFile"/>);
    /// a version 1 client would send the file's path where the host expects its content.
    /// </summary>
    public const int CurrentVersion = 2;
}

/// <summary>Client → host, first message on a connection.</summary>
public sealed record ClientHello(int ProtocolVersion, string Client) : ProtocolMessage;

/// <summary>Host → client, the answer to <see cref="ClientHello"/>: what this node supports.</summary>
/// <param name="ProtocolVersion">The host's protocol version.</param>
/// <param name="Node">The node's Akka address (or a name), shown by the client.</param>
/// <param name="TokenRequired">True when every command needs the token (host bound to a non-loopback address).</param>
/// <param name="Palettes">Every palette registered on this host.</param>
public sealed record HostWelcome(int ProtocolVersion, string Node, bool TokenRequired, IReadOnlyList<PaletteDefinition> Palettes)
    : ProtocolMessage;

/// <summary>Client → host: run a command. Arguments are keyed by switch long name.</summary>
public sealed record ExecuteCommand(
    string RequestId,
    string Palette,
    string Command,
    IReadOnlyDictionary<string, string> Arguments,
    string? Token = null) : ProtocolMessage
{
    /// <summary>Never prints the token, so the message is safe to log.</summary>
    public override string ToString() =>
        $"ExecuteCommand {{ RequestId = {RequestId}, Palette = {Palette}, Command = {Command}, " +
        $"Arguments = [{string.Join(", ", Arguments.Select(pair => pair.Key + "=" + pair.Value))}], " +
        $"Token = {(Token is null ? "none" : "(redacted)")} }}";
}

/// <summary>Client → host: cancel a running command (Ctrl+C).</summary>
public sealed record CancelCommand(string RequestId) : ProtocolMessage;

/// <summary>Host → client: a line of text output.</summary>
/// <param name="IsError">True for diagnostics the client writes to standard error.</param>
public sealed record TextOutput(string RequestId, string Text, bool IsError = false) : ProtocolMessage;

/// <summary>Host → client: a table, rendered aligned by the client.</summary>
public sealed record TableOutputMessage(string RequestId, TableOutput Table) : ProtocolMessage;

/// <summary>Host → client: a JSON document, written as is by the client (for <c>-o json</c>).</summary>
public sealed record JsonOutput(string RequestId, JsonElement Value) : ProtocolMessage;

/// <summary>Host → client: the command finished; always the last message of a request.</summary>
/// <param name="ExitCode">0 on success; see <see cref="ExitCodes"/>.</param>
/// <param name="Error">What went wrong and what to do, when <paramref name="ExitCode"/> is not 0.</param>
public sealed record CommandCompleted(string RequestId, int ExitCode, string? Error = null) : ProtocolMessage;

/// <summary>Host → client: the conversation cannot go on (bad message, wrong version); the host closes after it.</summary>
public sealed record ProtocolError(string Message) : ProtocolMessage;

/// <summary>A table: column headers and rows of cells, all text.</summary>
public sealed record TableOutput(string? Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows)
{
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(Title).Append(" [").AppendJoin(", ", Columns).Append("] ").Append(Rows.Count).Append(" rows");
        return text.ToString();
    }
}

/// <summary>Process exit codes shared by the host (in <see cref="CommandCompleted"/>) and the client.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The command ran and failed.</summary>
    public const int CommandFailed = 1;

    /// <summary>The command line was wrong: unknown palette, command or switch, missing value.</summary>
    public const int UsageError = 2;

    /// <summary>The command host could not be reached or broke the protocol.</summary>
    public const int HostUnavailable = 3;

    /// <summary>The command needs the token and none, or a wrong one, was presented.</summary>
    public const int NotAuthorized = 4;

    /// <summary>The command was cancelled (Ctrl+C), as a shell reports SIGINT.</summary>
    public const int Cancelled = 130;
}
