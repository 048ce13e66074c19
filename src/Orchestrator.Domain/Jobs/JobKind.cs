using System.Text.Json.Nodes;
using k8s.Models;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.ReplicaSets;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Validation;

namespace Orchestrator.Domain.Jobs;

/// <summary>
/// Job (batch/v1): runs pods until a number of them succeeded. As Kubernetes' job strategy: the
/// selector is generated from the Job's uid unless <c>spec.manualSelector</c> is true
/// (<see cref="JobLabels"/>), the template must restart Never or OnFailure, and the selector,
/// template, completions and completion mode are immutable.
/// </summary>
public sealed class JobKind : ResourceKind<V1Job>
{
    public static readonly JobKind Instance = new();

    public override string Kind => "Job";
    public override string Group => "batch";
    public override string Plural => "jobs";
    public override bool Namespaced => true;

    public override void ApplyDefaults(JsonObject obj)
    {
        if (obj["spec"] is JsonObject spec) DefaultSpec(spec);
    }

    /// <summary>The defaults of a Job spec (also those of a CronJob's jobTemplate.spec).</summary>
    public static void DefaultSpec(JsonObject spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec["completions"] is null && spec["parallelism"] is null)
        {
            spec["completions"] = 1;
            spec["parallelism"] = 1;
        }
        spec["parallelism"] ??= 1;
        spec["backoffLimit"] ??= 6;
        spec["completionMode"] ??= "NonIndexed";
        spec["suspend"] ??= false;
        spec["manualSelector"] ??= false;
    }

    public override void PrepareForCreate(JsonObject obj)
    {
        base.PrepareForCreate(obj);
        if (obj["spec"] is not JsonObject spec || JobLabels.IsTrue(spec["manualSelector"])) return;
        JobLabels.Generate(obj);
    }

    public override IEnumerable<FieldError> Validate(JsonObject obj)
    {
        if (obj["spec"] is not JsonObject spec)
        {
            yield return FieldError.Required("spec");
            yield break;
        }
        foreach (var e in ValidateSpec(spec, "spec")) yield return e;
        if (spec["selector"] is null)
        {
            yield return FieldError.Required("spec.selector");
        }
        else
        {
            foreach (var e in WorkloadValidation.Validate(obj).Where(e => e.Field.StartsWith("spec.selector", StringComparison.Ordinal) || e.Field == "spec.template.metadata.labels"))
                yield return e;
            if (!JobLabels.IsTrue(spec["manualSelector"]) && !JsonNode.DeepEquals(spec["selector"], JobLabels.Selector(obj.Uid() ?? "")))
                yield return FieldError.Invalid("spec.selector", spec["selector"]?.ToJsonString(), "`selector` not auto-generated");
        }
    }

    /// <summary>Validation of a Job spec without its selector (shared with a CronJob's jobTemplate.spec).</summary>
    public static IEnumerable<FieldError> ValidateSpec(JsonObject spec, string path)
    {
        ArgumentNullException.ThrowIfNull(spec);
        foreach (var field in new[] { "parallelism", "completions", "backoffLimit", "ttlSecondsAfterFinished" })
        {
            if (spec[field].GetLong() is { } n && n < 0) yield return FieldError.Invalid($"{path}.{field}", n, "must be greater than or equal to 0");
        }
        if (spec["activeDeadlineSeconds"].GetLong() is { } deadline && deadline <= 0)
            yield return FieldError.Invalid($"{path}.activeDeadlineSeconds", deadline, "must be greater than 0");
        var mode = spec.GetString("completionMode");
        if (mode is not null and not "NonIndexed" and not "Indexed")
            yield return FieldError.NotSupported($"{path}.completionMode", mode, ["NonIndexed", "Indexed"]);
        if (mode == "Indexed")
        {
            if (spec["completions"] is null) yield return FieldError.Required($"{path}.completions", "when completion mode is Indexed");
            else if (spec["completions"].GetLong() > JobIndexes.MaxCompletions)
                yield return FieldError.Invalid($"{path}.completions", spec["completions"].GetLong(), $"must be less than or equal to {JobIndexes.MaxCompletions} when completion mode is Indexed");
        }
        if (spec["template"] is not JsonObject template)
        {
            yield return FieldError.Required($"{path}.template");
            yield break;
        }
        if (template["metadata"]?["labels"] is JsonObject labels)
            foreach (var e in NameValidation.ValidateLabels(labels, $"{path}.template.metadata.labels")) yield return e;
        foreach (var e in PodSpecValidation.Validate(template["spec"], $"{path}.template.spec")) yield return e;
        var restart = template["spec"].AsObjectOrNull().GetString("restartPolicy");
        if (restart is null)
            yield return FieldError.Required($"{path}.template.spec.restartPolicy", "valid values: \"OnFailure\", \"Never\"");
        else if (restart is not "OnFailure" and not "Never")
            yield return FieldError.NotSupported($"{path}.template.spec.restartPolicy", restart, ["OnFailure", "Never"]);
        foreach (var e in JobFailurePolicy.Validate(spec["podFailurePolicy"], restart, $"{path}.podFailurePolicy")) yield return e;
    }

    public override IEnumerable<FieldError> ValidateUpdate(JsonObject current, JsonObject updated)
    {
        foreach (var field in new[] { "selector", "completions", "completionMode", "podFailurePolicy", "manualSelector" })
        {
            if (!JsonNode.DeepEquals(current["spec"]?[field], updated["spec"]?[field]))
                yield return FieldError.Invalid($"spec.{field}", updated["spec"]?[field]?.ToJsonString(), "field is immutable");
        }
        if (!JsonNode.DeepEquals(current["spec"]?["template"], updated["spec"]?["template"]))
            yield return FieldError.Invalid("spec.template", null, "field is immutable");
    }

    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Status", "string", "Status of the job."),
        new("Completions", "string", "The completion status of the job."),
        new("Duration", "string", "Time required to complete the job."),
        AgeColumn,
        new("Containers", "string", "Names of each container in the template.", 1),
        new("Images", "string", "Images referenced by each container in the template.", 1),
        new("Selector", "string", "Selector that matches pods.", 1),
    ];

    public override IReadOnlyList<object?> Row(JsonObject obj, DateTimeOffset now) =>
    [
        obj.Name(),
        JobConditions.StatusText(obj),
        CompletionsText(obj),
        DurationText(obj, now),
        Age(obj, now),
        WorkloadValidation.ContainerField(obj, "name"),
        WorkloadValidation.ContainerField(obj, "image"),
        WorkloadValidation.SelectorText(obj),
    ];

    /// <summary>"2/3" (succeeded of completions), or "1/1 of 4" for a work queue of parallelism 4, as kubectl prints it.</summary>
    public static string CompletionsText(JsonObject job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var succeeded = job["status"]?["succeeded"].GetLong() ?? 0;
        if (job["spec"]?["completions"].GetLong() is { } completions) return $"{succeeded}/{completions}";
        var parallelism = job["spec"]?["parallelism"].GetLong() ?? 0;
        return parallelism > 1 ? $"{succeeded}/1 of {parallelism}" : $"{succeeded}/1";
    }

    /// <summary>From startTime to completionTime (or to now while it runs); empty before it started.</summary>
    public static string DurationText(JsonObject job, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (JobConditions.Time(job["status"]?["startTime"]) is not { } start) return "";
        var end = JobConditions.Time(job["status"]?["completionTime"]) ?? now;
        return HumanDuration(end - start);
    }
}
