using System.Text.Json;
using Orchestrator.CommandHost.Protocol;

namespace Orchestrator.CommandHost.Internal;

/// <summary>Sends a command's output to its client as protocol messages tagged with the request id.</summary>
internal sealed class ProtocolCommandOutput(ProtocolConnection connection, string requestId) : ICommandOutput
{
    public Task WriteLineAsync(string text, CancellationToken cancellationToken = default) =>
        connection.WriteAsync(new TextOutput(requestId, text), cancellationToken);

    public Task WriteErrorLineAsync(string text, CancellationToken cancellationToken = default) =>
        connection.WriteAsync(new TextOutput(requestId, text, IsError: true), cancellationToken);

    public Task WriteTableAsync(TableOutput table, CancellationToken cancellationToken = default) =>
        connection.WriteAsync(new TableOutputMessage(requestId, table), cancellationToken);

    public Task WriteJsonAsync<T>(T value, CancellationToken cancellationToken = default) =>
        connection.WriteAsync(
            new JsonOutput(requestId, JsonSerializer.SerializeToElement(value, ProtocolConnection.SerializerOptions)),
            cancellationToken);
}
