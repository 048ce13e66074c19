using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Orchestrator.Domain.ConfigMaps;
using Orchestrator.Domain.Deployments;
using Orchestrator.Domain.Patching;
using Orchestrator.Domain.Pods;
using Orchestrator.Domain.Resources;
using Orchestrator.Domain.Serialization;
using Orchestrator.TestSupport;
using Xunit.Abstractions;
using static Orchestrator.Domain.Tests.Resources.Objects;

namespace Orchestrator.Domain.Tests.Serialization;

/// <summary>
/// Property-based fuzzing of the decoders and parsers themselves, no server (issue 19): hostile object
/// bodies (<see cref="HostileGenerators"/>) through the JSON and YAML decoders and then the create,
/// status and binding decisions; hostile patch bodies (<see cref="HostilePatches"/>) through the
/// decoder and all three patch types on the main and status subresources and on a Scale. Every input
/// either decodes or is refused with the one documented decode exception (<see cref="FormatException"/>,
/// <see cref="DecodeLimitException"/> past a limit); a patch that cannot apply is a
/// <see cref="PatchException"/> or a refused decision; nothing else is ever thrown. The cost is bounded
/// by what the thread allocated (exact, so the bound cannot be flaky, unlike wall time) and by the
/// values of every tree built.
/// </summary>
public sealed class DecoderFuzzProperties(ITestOutputHelper output)
{
    private const int Cases = 2000;

    private static readonly DecodeLimits Limits = DecodeLimits.Default;

    /// <summary>
    /// What one decode or one decision may cost: a fixed allowance (a tree at
    /// <see cref="DecodeLimits.MaxValues"/> is about 20 MB, and a decision on a patched object that
    /// large makes a few copies of it: the patched tree, the typed round trip, the result) plus a
    /// multiple of the input. The alias bomb of issue 19 allocated gigabytes, and the JSON patch copy
    /// bomb (<see cref="HostilePatches.CopyBombs"/>) crashed the process before copies were bounded.
    /// </summary>
    private static long Budget(int inputBytes) => 128L * 1024 * 1024 + 48L * inputBytes;

    private long _worst;
    private string _worstInput = "";

    [Fact]
    public void Every_hostile_body_decodes_or_is_refused_with_a_FormatException_within_a_bounded_cost()
    {
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        var property = Prop.ForAll(Gen.Frequency((9, HostileGenerators.Bodies), (1, Bindings)).ToArbitrary(), body =>
        {
            var yaml = body.ContentType.Contains("yaml", StringComparison.Ordinal);
            // As the API reads a body: invalid UTF-8 becomes U+FFFD.
            var text = Encoding.UTF8.GetString(body.Bytes);
            Measured(body.ToString(), body.Bytes.Length, () => Count(outcomes, DecodeAndDecide(text, yaml)));
            Measured(body.ToString(), body.Bytes.Length, () => Count(outcomes, DecodeAndDecide(text, !yaml)));
            return true;
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(Cases), property);
        Report(outcomes);
    }

    [Fact]
    public void Every_hostile_patch_applies_or_is_refused_and_never_throws_anything_else_within_a_bounded_cost()
    {
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        var pod = Created(PodKind.Instance, Pod());
        var deployment = Created(DeploymentKind.Instance, Deployment());
        var property = Prop.ForAll(HostilePatches.Bodies.ToArbitrary(), body =>
        {
            var bytes = Encoding.UTF8.GetByteCount(body);
            JsonNode? patch = null;
            Measured(body, bytes, () =>
            {
                try
                {
                    patch = BoundedJson.Decode(body, Limits).Root;
                    CheckValues(patch);
                }
                catch (FormatException)
                {
                    Count(outcomes, "patch refused by the decoder");
                }
            });
            if (patch is null) return true;
            // Each application on its own budget, as each request has one.
            foreach (var type in new[] { PatchType.Merge, PatchType.Strategic, PatchType.Json })
            {
                Measured(body, bytes, () => Count(outcomes, Outcome($"{type} on a pod", pod.Patch(type, patch, Subresource.Main, Context()))));
                Measured(body, bytes, () => Count(outcomes, Outcome($"{type} on a pod's status", pod.Patch(type, patch, Subresource.Status, Context()))));
                Measured(body, bytes, () => Count(outcomes, Outcome($"{type} on a deployment", deployment.Patch(type, patch, Subresource.Main, Context()))));
            }
            // The scale subresource applies merge and JSON patches to a Scale object itself.
            Measured(body, bytes, () => Count(outcomes, ApplyToScale(() => JsonMergePatch.Apply(Scale(), patch), "merge")));
            Measured(body, bytes, () => Count(outcomes, ApplyToScale(() => JsonPatch.Apply(Scale(), patch), "JSON")));
            return true;
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(Cases), property);
        Report(outcomes);
    }

    /// <summary>Bodies of the binding subresource, with target names that collide after normalisation or are no names at all.</summary>
    private static Gen<HostileBody> Bindings =>
        from node in HostileGenerators.CollidingNames
        from kind in Gen.Elements("Node", "Pod", "")
        let target = System.Text.Json.JsonEncodedText.Encode(node)
        select new HostileBody("binding to " + node, Encoding.UTF8.GetBytes(
            $$$"""{"apiVersion":"v1","kind":"Binding","metadata":{"name":"web"},"target":{"apiVersion":"v1","kind":"{{{kind}}}","name":"{{{target}}}"}}"""), "application/json");

    /// <summary>Decodes as the API would and, for an object, runs the create, status and binding decisions on it.</summary>
    private static string DecodeAndDecide(string text, bool yaml)
    {
        JsonObject obj;
        try
        {
            if (yaml)
            {
                var decoded = YamlJson.Decode(text, Limits);
                foreach (var document in decoded.Documents) CheckValues(document);
                obj = YamlJson.SingleObject(decoded.Documents);
            }
            else
            {
                var decoded = BoundedJson.Decode(text, Limits);
                CheckValues(decoded.Root);
                if (decoded.Root is not JsonObject o) return "JSON not an object";
                obj = o;
            }
        }
        catch (DecodeLimitException e)
        {
            return $"{(yaml ? "YAML" : "JSON")} beyond {e.Limit}";
        }
        catch (FormatException)
        {
            return $"{(yaml ? "YAML" : "JSON")} malformed";
        }
        var name = (obj["metadata"] as JsonObject)?["name"] is JsonValue v && v.TryGetValue<string>(out var n) && n.Length > 0 ? n : "fuzz";
        var configMap = ResourceState.Empty(ConfigMapKind.Instance, Key(ConfigMapKind.Instance, name)).Create(obj.DeepClone().AsObject(), Context());
        var pod = ResourceState.Empty(PodKind.Instance, Key(PodKind.Instance, name)).Create(obj.DeepClone().AsObject(), Context());
        var running = Created(PodKind.Instance, Pod());
        var status = running.Replace(obj.DeepClone().AsObject(), Subresource.Status, Context());
        // The binding subresource: its target's name, whatever the body holds there.
        var node = (obj["target"] as JsonObject)?["name"] is JsonValue t && t.TryGetValue<string>(out var s) ? s : "";
        var binding = node.Length > 0 ? running.Bind(node, Context()) : null;
        return $"{Outcome("create ConfigMap", configMap)}; {Outcome("create Pod", pod)}; {Outcome("status", status)}; {(binding is null ? "no binding target" : Outcome("binding", binding))}";
    }

    private static string Outcome(string what, Decision decision) =>
        decision.Error is { } error ? $"{what} {error.Code}" : $"{what} accepted";

    private static string ApplyToScale(Func<JsonNode?> apply, string type)
    {
        try
        {
            CheckValues(apply());
            return $"{type} patch on a Scale applied";
        }
        catch (PatchException)
        {
            return $"{type} patch on a Scale refused";
        }
    }

    private static JsonObject Scale() => Json("""
        {"kind":"Scale","apiVersion":"autoscaling/v1","metadata":{"name":"d","namespace":"default","resourceVersion":"7"},
         "spec":{"replicas":2},"status":{"replicas":2,"selector":"app=web"}}
        """);

    /// <summary>Runs one case, failing it on any exception (the callee catches what it may) or when it allocated beyond its budget.</summary>
    private void Measured(string input, int inputBytes, Action run)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            run();
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"{e.GetType().Name} ({e.Message}) for {Shorten(input)}", e);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (allocated > _worst)
        {
            _worst = allocated;
            _worstInput = Shorten(input);
        }
        Assert.True(allocated <= Budget(inputBytes), $"allocated {allocated:N0} bytes (budget {Budget(inputBytes):N0}) for {Shorten(input)}");
    }

    /// <summary>A tree from the decoder never holds more values than the limit allows.</summary>
    private static void CheckValues(JsonNode? root)
    {
        var values = 0L;
        var pending = new Stack<JsonNode?>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            values++;
            switch (pending.Pop())
            {
                case JsonObject o:
                    foreach (var member in o) pending.Push(member.Value);
                    break;
                case JsonArray a:
                    foreach (var item in a) pending.Push(item);
                    break;
            }
        }
        Assert.True(values <= Limits.MaxValues, $"a decoded tree holds {values} values, beyond max-values {Limits.MaxValues}");
    }

    private static void Count(Dictionary<string, int> outcomes, string outcome) =>
        outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;

    private void Report(Dictionary<string, int> outcomes)
    {
        foreach (var (outcome, count) in outcomes.OrderByDescending(o => o.Value))
            output.WriteLine($"{count,6}  {outcome}");
        output.WriteLine($"most allocated by one case: {_worst:N0} bytes, for {_worstInput}");
    }

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "..." : text;
}
