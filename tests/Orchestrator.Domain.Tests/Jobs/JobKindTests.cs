using System.Text.Json.Nodes;
using Orchestrator.Domain.Jobs;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Validation;
using static Orchestrator.Domain.Tests.Resources.Objects;

namespace Orchestrator.Domain.Tests.Jobs;

public sealed class JobKindTests
{
    private static JsonObject Manifest(string restartPolicy = "Never")
    {
        var job = Json("""
            {"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"pi"},
             "spec":{"template":{"spec":{"containers":[{"name":"pi","image":"busybox"}]}}}}
            """);
        job["spec"]!["template"]!["spec"]!["restartPolicy"] = restartPolicy;
        return job;
    }

    private static JsonObject CreatedJob(JsonObject manifest)
    {
        var decision = Created(JobKind.Instance, manifest);
        return decision.Current!;
    }

    [Fact]
    public void Create_generates_the_selector_and_labels_from_the_uid_and_defaults_the_spec()
    {
        var job = CreatedJob(Manifest());
        var uid = job.Uid()!;
        Assert.Equal(uid, job["spec"]!["selector"]!["matchLabels"]![JobLabels.ControllerUid]!.GetValue<string>());
        var labels = ObjectMeta.StringMap(job["spec"]!["template"]!["metadata"]!["labels"]);
        Assert.Equal(uid, labels[JobLabels.ControllerUid]);
        Assert.Equal(uid, labels["controller-uid"]);
        Assert.Equal("pi", labels[JobLabels.JobName]);
        Assert.Equal("pi", labels["job-name"]);
        Assert.Equal(1, job["spec"]!["completions"].GetLong());
        Assert.Equal(1, job["spec"]!["parallelism"].GetLong());
        Assert.Equal(6, job["spec"]!["backoffLimit"].GetLong());
        Assert.Equal("NonIndexed", job["spec"]!["completionMode"]!.GetValue<string>());
    }

    [Fact]
    public void A_template_that_restarts_always_is_refused()
    {
        var error = CreateError(JobKind.Instance, Manifest("Always"));
        Assert.NotNull(error);
        Assert.Contains("spec.template.spec.restartPolicy", error!.Message);
        Assert.Contains("\"OnFailure\", \"Never\"", error.Message);
    }

    [Fact]
    public void A_selector_not_generated_needs_manual_selector()
    {
        var manifest = Manifest();
        manifest["spec"]!["selector"] = Json("""{"matchLabels":{"app":"pi"}}""");
        manifest["spec"]!["template"]!["metadata"] = Json("""{"labels":{"app":"pi"}}""");
        Assert.Contains("`selector` not auto-generated", CreateError(JobKind.Instance, manifest)!.Message);
        manifest["spec"]!["manualSelector"] = true;
        Assert.Null(CreateError(JobKind.Instance, manifest));
    }

    [Fact]
    public void Indexed_needs_completions_and_bad_numbers_are_named()
    {
        var manifest = Manifest();
        manifest["spec"]!["completionMode"] = "Indexed";
        manifest["spec"]!["parallelism"] = 2;
        manifest["spec"]!["backoffLimit"] = -1;
        var errors = JobKind.Instance.Validate(CreatedOrNormalized(manifest)).Select(e => e.Field).ToList();
        Assert.Contains("spec.completions", errors);
        Assert.Contains("spec.backoffLimit", errors);
    }

    [Fact]
    public void The_template_and_completions_are_immutable()
    {
        var job = CreatedJob(Manifest());
        var changed = (JsonObject)job.DeepClone();
        changed["spec"]!["completions"] = 5;
        changed["spec"]!["template"]!["spec"]!["containers"]![0]!["image"] = "other";
        var fields = JobKind.Instance.ValidateUpdate(job, changed).Select(e => e.Field).ToList();
        Assert.Equal(["spec.completions", "spec.template"], fields);
    }

    [Fact]
    public void Pod_failure_policy_needs_restart_never_and_known_actions()
    {
        var manifest = Manifest("OnFailure");
        manifest["spec"]!["podFailurePolicy"] = Json("""{"rules":[{"action":"Explode","onExitCodes":{"operator":"In","values":[0]}}]}""");
        var errors = JobKind.Instance.Validate(CreatedOrNormalized(manifest)).ToList();
        Assert.Contains(errors, e => e.Field == "spec.template.spec.restartPolicy" && e.Message.Contains("only \"Never\"", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Field == "spec.podFailurePolicy.rules[0].action" && e.Type == FieldErrorType.NotSupported);
        Assert.Contains(errors, e => e.Field == "spec.podFailurePolicy.rules[0].onExitCodes.values");
    }

    [Fact]
    public void Table_shows_status_completions_and_duration_as_kubectl()
    {
        var job = CreatedJob(Manifest());
        job["spec"]!["completions"] = 3;
        job["status"] = Json("""{"succeeded":2,"startTime":"2026-01-02T03:00:00Z","completionTime":"2026-01-02T03:01:30Z"}""");
        var row = JobKind.Instance.Row(job, Now);
        Assert.Equal("Running", row[1]);
        Assert.Equal("2/3", row[2]);
        Assert.Equal("90s", row[3]);
        job["spec"]!.AsObject().Remove("completions");
        job["spec"]!["parallelism"] = 4;
        Assert.Equal("2/1 of 4", JobKind.CompletionsText(job));
    }

    private static JsonObject CreatedOrNormalized(JsonObject manifest)
    {
        var obj = JobKind.Instance.Normalize(manifest);
        obj.Metadata()["uid"] = "u1";
        JobKind.Instance.ApplyDefaults(obj);
        JobKind.Instance.PrepareForCreate(obj);
        return obj;
    }
}
