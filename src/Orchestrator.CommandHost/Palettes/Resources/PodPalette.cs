using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Orchestrator.Cluster.Resources;
using Orchestrator.CommandHost.Protocol;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.Resources;

namespace Orchestrator.CommandHost.Palettes.Resources;

/// <summary>
/// <c>pod</c>: list, describe, logs, delete. Logs come from this node's API
/// (<c>GET /api/v1/namespaces/{ns}/pods/{name}/log</c>), which serves them from the node that runs the pod.
/// </summary>
public sealed class PodPalette : ResourcePalette
{
    private static readonly PodKind Kind = PodKind.Instance;

    private static readonly SwitchDefinition GracePeriod =
        new("grace-period", null, "Seconds the containers get to stop before they are killed (default: the pod's terminationGracePeriodSeconds).");

    private static readonly SwitchDefinition Follow = new("follow", "f", "Keep printing new lines until Ctrl+C.", IsFlag: true);

    private static readonly SwitchDefinition Container = new("container", "c", "The container (needed when the pod has several).");

    private static readonly SwitchDefinition Tail = new("tail", null, "Only the last N lines.");

    private readonly Lazy<HttpClient> _api;

    public PodPalette(ResourceStore store, TimeProvider time, ActorSystem system) : base("pod", "Pods: list, describe, logs, delete.", store, time)
    {
        _api = new Lazy<HttpClient>(() => NodeApiClient.Create(system));
        AddListCommand(Kind, "Lists pods (-w: then every change).");
        AddDescribeCommand(Kind, "Shows a pod: node, IP, containers and their state, conditions.");
        AddResourceCommand(new CommandDefinition("logs", "Prints a container's output (-f: and follows it until Ctrl+C).",
            [ResourceSwitches.Name("pod"), ResourceSwitches.Namespace, Container, Follow, Tail]), LogsAsync);
        AddResourceCommand(new CommandDefinition("delete", "Deletes a pod (its controller, if any, makes a new one).",
            [ResourceSwitches.Name("pod"), ResourceSwitches.Namespace, GracePeriod], IsMutating: true), DeleteAsync);
    }

    private async Task<int> DeleteAsync(CommandRequest request, ICommandOutput output, CancellationToken ct)
    {
        long? gracePeriod = null;
        if (request.GetSwitch(GracePeriod.Name) is { } text)
        {
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
                throw new CommandException($"--grace-period must be a whole number of seconds, 0 or more; '{text}' is not.", ExitCodes.UsageError);
            gracePeriod = seconds;
        }
        var name = NameOf(request);
        await Store.Delete(Kind, NamespaceOf(request), name, new DeleteRequest(GracePeriodSeconds: gracePeriod), ct);
        await output.WriteLineAsync($"pod \"{name}\" deleted", ct);
        return ExitCodes.Success;
    }

    private async Task<int> LogsAsync(CommandRequest request, ICommandOutput output, CancellationToken ct)
    {
        var query = new List<string>();
        if (request.GetSwitch(Container.Name) is { } container)
            query.Add("container=" + Uri.EscapeDataString(container));
        if (request.HasFlag(Follow.Name))
            query.Add("follow=true");
        if (request.GetSwitch(Tail.Name) is { } tail)
        {
            if (!long.TryParse(tail, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                throw new CommandException($"--tail must be a number of lines; '{tail}' is not.", ExitCodes.UsageError);
            query.Add("tailLines=" + tail);
        }
        var path = $"/api/v1/namespaces/{Uri.EscapeDataString(NamespaceOf(request))}/pods/{Uri.EscapeDataString(NameOf(request))}/log" +
                   (query.Count == 0 ? "" : "?" + string.Join("&", query));
        using var response = await _api.Value.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
            throw new CommandException(await ApiFailureAsync(response, ct));
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(body);
        while (await reader.ReadLineAsync(ct) is { } line)
            await output.WriteLineAsync(line, ct);
        return ExitCodes.Success;
    }

    /// <summary>The API's Kubernetes Status as kubectl prints it, or the HTTP status when the body is no Status.</summary>
    private static async Task<string> ApiFailureAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var body = await response.Content.ReadAsStringAsync(ct);
        try
        {
            if (JsonNode.Parse(body) is JsonObject status && status.GetString("message") is { } message)
                return $"Error from server ({status.GetString("reason") ?? response.StatusCode.ToString()}): {message}";
        }
        catch (JsonException)
        {
        }
        return $"the node's API answered {(int)response.StatusCode} {response.ReasonPhrase}: {body}";
    }

    protected override Task DescribeDetailsAsync(JsonObject obj, DescriptionBuilder text, CancellationToken cancellationToken)
    {
        var spec = obj["spec"] as JsonObject;
        var status = obj["status"] as JsonObject;
        text.Field("Node", spec.GetString("nodeName") ?? "<none>");
        text.Field("Status", PodKind.DisplayStatus(obj));
        text.Field("IP", status.GetString("podIP") ?? "<none>");
        text.Field("QoS Class", status.GetString("qosClass") ?? "<none>");
        var containerStatuses = (status?["containerStatuses"] as JsonArray)?.OfType<JsonObject>()
            .ToDictionary(s => s.GetString("name") ?? "", StringComparer.Ordinal) ?? [];
        text.Section("Containers");
        foreach (var container in (spec?["containers"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var name = container.GetString("name") ?? "";
            text.Section(name, 1);
            text.Field("Image", container.GetString("image") ?? "", 2);
            if (container["ports"] is JsonArray ports && ports.Count > 0)
                text.Field("Ports", string.Join(", ", ports.OfType<JsonObject>().Select(p => $"{p["containerPort"]?.ToJsonString()}/{p.GetString("protocol") ?? "TCP"}")), 2);
            if (containerStatuses.TryGetValue(name, out var containerStatus))
            {
                text.Field("State", ContainerState(containerStatus["state"] as JsonObject), 2);
                text.Field("Ready", containerStatus["ready"]?.ToJsonString() ?? "false", 2);
                text.Field("Restart Count", containerStatus["restartCount"]?.ToJsonString() ?? "0", 2);
            }
            else
            {
                text.Field("State", "<not reported yet>", 2);
            }
        }
        text.Section("Conditions");
        foreach (var condition in (status?["conditions"] as JsonArray)?.OfType<JsonObject>() ?? [])
            text.Field(condition.GetString("type") ?? "", condition.GetString("status") ?? "", 1);
        return Task.CompletedTask;
    }

    private static string ContainerState(JsonObject? state) => state switch
    {
        null => "<unknown>",
        _ when state["running"] is JsonObject running => $"Running (started {running.GetString("startedAt")})",
        _ when state["waiting"] is JsonObject waiting => $"Waiting ({waiting.GetString("reason")})",
        _ when state["terminated"] is JsonObject terminated => $"Terminated ({terminated.GetString("reason")}, exit code {terminated["exitCode"]?.ToJsonString()})",
        _ => "<unknown>",
    };
}
