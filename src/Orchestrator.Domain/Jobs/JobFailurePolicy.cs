using System.Text.Json.Nodes;
using Orchestrator.Domain.Controllers;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Validation;

namespace Orchestrator.Domain.Jobs;

/// <summary>The rule of a Job's podFailurePolicy a failed pod matched.</summary>
/// <param name="Index">The rule's index in <c>spec.podFailurePolicy.rules</c>.</param>
/// <param name="Action">FailJob, Ignore or Count (FailIndex counts as Count here).</param>
/// <param name="Message">Why it matched, as Kubernetes words it in the Job's condition.</param>
public sealed record FailureRuleMatch(int Index, string Action, string Message);

/// <summary>
/// <c>spec.podFailurePolicy</c>: rules tried in order on each failed pod, the first match decides
/// what its failure means: <c>FailJob</c> fails the Job at once, <c>Ignore</c> does not count it
/// toward backoffLimit (the pod is replaced), <c>Count</c> counts it as usual. A rule matches on
/// the exit code of a container that exited non-zero (<c>onExitCodes</c>, In/NotIn) or on a pod
/// condition (<c>onPodConditions</c>).
/// </summary>
public static class JobFailurePolicy
{
    private static readonly string[] Actions = ["FailJob", "FailIndex", "Ignore", "Count"];

    public static IEnumerable<FieldError> Validate(JsonNode? policy, string? restartPolicy, string path)
    {
        if (policy is null) yield break;
        if (restartPolicy is not null and not "Never")
            yield return FieldError.Invalid("spec.template.spec.restartPolicy", restartPolicy, "only \"Never\" is supported when podFailurePolicy is specified");
        if (policy["rules"] is not JsonArray rules)
        {
            yield return FieldError.Required($"{path}.rules");
            yield break;
        }
        for (var i = 0; i < rules.Count; i++)
        {
            var at = $"{path}.rules[{i}]";
            if (rules[i] is not JsonObject rule)
            {
                yield return FieldError.Invalid(at, rules[i]?.ToJsonString(), "must be an object");
                continue;
            }
            var action = rule.GetString("action");
            if (action is null) yield return FieldError.Required($"{at}.action");
            else if (!Actions.Contains(action)) yield return FieldError.NotSupported($"{at}.action", action, Actions);
            var exitCodes = rule["onExitCodes"] as JsonObject;
            var conditions = rule["onPodConditions"] as JsonArray;
            if ((exitCodes is null) == (conditions is null || conditions.Count == 0))
                yield return FieldError.Invalid(at, null, "specifying one of OnExitCodes and OnPodConditions is required");
            if (exitCodes is not null)
            {
                var op = exitCodes.GetString("operator");
                if (op is not "In" and not "NotIn") yield return FieldError.NotSupported($"{at}.onExitCodes.operator", op, ["In", "NotIn"]);
                var values = (exitCodes["values"] as JsonArray)?.Select(v => v.GetLong()).ToList() ?? [];
                if (values.Count == 0) yield return FieldError.Required($"{at}.onExitCodes.values");
                if (values.Any(v => v is null)) yield return FieldError.Invalid($"{at}.onExitCodes.values", exitCodes["values"]?.ToJsonString(), "must be integers");
                if (op == "In" && values.Contains(0)) yield return FieldError.Invalid($"{at}.onExitCodes.values", 0, "must not be 0 for the In operator");
                if (values.Distinct().Count() != values.Count) yield return FieldError.Duplicate($"{at}.onExitCodes.values", exitCodes["values"]?.ToJsonString());
            }
            for (var c = 0; conditions is not null && c < conditions.Count; c++)
            {
                if (conditions[c].AsObjectOrNull().GetString("type") is null) yield return FieldError.Required($"{at}.onPodConditions[{c}].type");
            }
        }
    }

    /// <summary>The first rule <paramref name="pod"/> (failed) matches, or null when none does (then its failure counts).</summary>
    public static FailureRuleMatch? Match(JsonNode? policy, JsonObject pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        if (policy?["rules"] is not JsonArray rules) return null;
        for (var i = 0; i < rules.Count; i++)
        {
            if (rules[i] is not JsonObject rule || rule.GetString("action") is not { } action) continue;
            if (rule["onExitCodes"] is JsonObject exitCodes && ExitCodeMatch(exitCodes, pod) is { } exit)
                return new FailureRuleMatch(i, action, $"Container {exit.Container} for pod {pod.Namespace()}/{pod.Name()} failed with exit code {exit.Code} matching {action} rule at index {i}");
            if (rule["onPodConditions"] is JsonArray conditions && conditions.OfType<JsonObject>().FirstOrDefault(c => ConditionMatches(c, pod)) is { } condition)
                return new FailureRuleMatch(i, action, $"Pod {pod.Namespace()}/{pod.Name()} has condition {condition.GetString("type")} matching {action} rule at index {i}");
        }
        return null;
    }

    private static (string Container, long Code)? ExitCodeMatch(JsonObject exitCodes, JsonObject pod)
    {
        var container = exitCodes.GetString("containerName");
        var notIn = exitCodes.GetString("operator") == "NotIn";
        var values = (exitCodes["values"] as JsonArray)?.Select(v => v.GetLong()).OfType<long>().ToHashSet() ?? [];
        foreach (var list in new[] { "initContainerStatuses", "containerStatuses" })
        {
            foreach (var status in (pod["status"]?[list] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                if (container is not null && status.GetString("name") != container) continue;
                if (status["state"]?["terminated"]?["exitCode"].GetLong() is not { } code || code == 0) continue;
                if (values.Contains(code) != notIn) return (status.GetString("name") ?? "", code);
            }
        }
        return null;
    }

    private static bool ConditionMatches(JsonObject wanted, JsonObject pod) =>
        PodHelpers.Condition(pod, wanted.GetString("type") ?? "") is { } actual
        && actual.GetString("status") == (wanted.GetString("status") ?? "True");
}
