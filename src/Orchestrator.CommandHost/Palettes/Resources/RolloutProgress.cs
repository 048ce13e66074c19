using System.Globalization;
using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;

namespace Orchestrator.CommandHost.Palettes.Resources;

/// <summary>Where a deployment's rollout stands: finished, failed, or the reason to keep waiting.</summary>
/// <param name="IsComplete">True when every desired replica runs the current template and is ready and available.</param>
/// <param name="HasFailed">True when the controller gave up (progress deadline exceeded).</param>
/// <param name="Message">What kubectl would print for this state.</param>
internal sealed record RolloutProgress(bool IsComplete, bool HasFailed, string Message)
{
    /// <summary>
    /// Evaluates a deployment as <c>kubectl rollout status</c> does: the controller must have
    /// observed the current generation, then all of <c>spec.replicas</c> must be updated, old
    /// replicas gone, and the updated ones ready and available.
    /// </summary>
    public static RolloutProgress Of(JsonObject deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        var name = deployment.Name();
        var status = deployment["status"] as JsonObject;
        var observedGeneration = status?["observedGeneration"].GetLong() ?? 0;
        if (observedGeneration < deployment.Generation())
            return Waiting("Waiting for deployment spec update to be observed...");

        var progressing = (status?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => c.GetString("type") == "Progressing");
        if (progressing.GetString("reason") == "ProgressDeadlineExceeded")
            return new RolloutProgress(false, true, $"deployment \"{name}\" exceeded its progress deadline");

        var desired = deployment["spec"]?["replicas"].GetLong() ?? 1;
        var updated = status?["updatedReplicas"].GetLong() ?? 0;
        var total = status?["replicas"].GetLong() ?? 0;
        var ready = status?["readyReplicas"].GetLong() ?? 0;
        var available = status?["availableReplicas"].GetLong() ?? 0;
        if (updated < desired)
            return Waiting($"Waiting for deployment \"{name}\" rollout to finish: {updated} out of {desired} new replicas have been updated...");
        if (total > updated)
            return Waiting($"Waiting for deployment \"{name}\" rollout to finish: {total - updated} old replicas are pending termination...");
        if (ready < updated)
            return Waiting($"Waiting for deployment \"{name}\" rollout to finish: {ready} of {updated} updated replicas are ready...");
        if (available < updated)
            return Waiting($"Waiting for deployment \"{name}\" rollout to finish: {available} of {updated} updated replicas are available...");
        return new RolloutProgress(true, false, $"deployment \"{name}\" successfully rolled out");
    }

    private static RolloutProgress Waiting(string message) => new(false, false, message);

    /// <summary>Parses <c>90</c>, <c>90s</c>, <c>5m</c>, <c>1h</c>; false for anything else or a non-positive value.</summary>
    public static bool TryParseTimeout(string text, out TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(text);
        timeout = TimeSpan.Zero;
        var (number, unit) = text.Length > 0 && char.IsLetter(text[^1]) ? (text[..^1], text[^1]) : (text, 's');
        if (!long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0)
            return false;
        timeout = unit switch
        {
            's' => TimeSpan.FromSeconds(value),
            'm' => TimeSpan.FromMinutes(value),
            'h' => TimeSpan.FromHours(value),
            _ => TimeSpan.Zero,
        };
        return timeout > TimeSpan.Zero;
    }
}
