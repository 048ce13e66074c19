using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Docker.DotNet;

namespace Orchestrator.Runtime.Internal;

/// <summary>Turns what Docker.DotNet throws into the engine's message and into <see cref="ContainerRuntimeException"/>s.</summary>
internal static class EngineErrors
{
    /// <summary>The engine's own message: the <c>message</c> of its JSON error body, else the body, else the exception's message.</summary>
    public static string MessageOf(Exception e)
    {
        if (e is DockerApiException api && !string.IsNullOrWhiteSpace(api.ResponseBody))
        {
            try
            {
                using var doc = JsonDocument.Parse(api.ResponseBody);
                if (doc.RootElement.ValueKind == JsonValueKind.Object &&
                    doc.RootElement.TryGetProperty("message", out var message) &&
                    message.ValueKind == JsonValueKind.String)
                    return message.GetString()!.Trim();
            }
            catch (JsonException)
            {
                // Not JSON: the body as it is.
            }

            return api.ResponseBody.Trim();
        }

        return e.Message;
    }

    public static bool IsStatus(Exception e, HttpStatusCode status) => e is DockerApiException api && api.StatusCode == status;

    /// <summary>True for failures that come from the engine or the connection to it (to be wrapped), not from our own code.</summary>
    public static bool IsEngineFailure(Exception e) =>
        e is DockerApiException or HttpRequestException or SocketException or IOException or TimeoutException;

    /// <summary>A failure nobody expected in particular, as a <see cref="ContainerRuntimeException"/>.</summary>
    public static ContainerRuntimeException Unexpected(string operation, Exception e) => e switch
    {
        DockerApiException => new ContainerRuntimeException(
            RuntimeErrorReasons.RuntimeError, $"{operation}: the engine answered: {MessageOf(e)}", MessageOf(e), e),
        TimeoutException or OperationCanceledException => new ContainerRuntimeException(
            RuntimeErrorReasons.RuntimeUnavailable, $"{operation}: the engine did not answer in time", null, e),
        _ => new ContainerRuntimeException(
            RuntimeErrorReasons.RuntimeUnavailable, $"{operation}: cannot reach the engine: {e.Message}", null, e),
    };
}
