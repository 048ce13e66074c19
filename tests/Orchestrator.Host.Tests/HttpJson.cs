using System.Text;
using System.Text.Json.Nodes;

namespace Orchestrator.Host.Tests;

/// <summary>The request bodies and answers of the HTTP tests: JSON text in, the JSON object out.</summary>
internal static class HttpJson
{
    public static StringContent Json(string json, string type = "application/json") => new(json, Encoding.UTF8, type);

    public static async Task<JsonObject> Body(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
}
