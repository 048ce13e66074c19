using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Domain.Volumes;
using static Orchestrator.Domain.Tests.Resources.Objects;

namespace Orchestrator.Domain.Tests.Volumes;

/// <summary>Which files a configMap, secret, downwardAPI or projected volume holds, with which content and mode.</summary>
public sealed class VolumeProjectionTests
{
    private static readonly JsonObject Pod = Json("""{"metadata":{"name":"web","namespace":"shop","uid":"u-1","labels":{"tier":"front","app":"web"},"annotations":{"note":"say \"hi\""}},"spec":{}}""");

    private static readonly Dictionary<VolumeObjectRef, JsonObject> Objects = new()
    {
        [new VolumeObjectRef("ConfigMap", "app")] = Json("""{"metadata":{"name":"app"},"data":{"b.conf":"bee","a.conf":"ay"},"binaryData":{"bin":"AAEC"}}"""),
        [new VolumeObjectRef("Secret", "db")] = Json($$$"""{"metadata":{"name":"db"},"data":{"password":"{{{Convert.ToBase64String("s3cret"u8.ToArray())}}}"}}"""),
    };

    private static Dictionary<string, (string Text, int Mode)> Files(string volume, Dictionary<VolumeObjectRef, JsonObject>? objects = null) =>
        VolumeProjection.Files(Pod, Json(volume), objects ?? Objects).ToDictionary(f => f.Path, f => (Encoding.UTF8.GetString(f.Content), f.Mode));

    [Fact]
    public void A_config_map_gives_every_key_as_a_file_with_the_default_mode()
    {
        var files = Files("""{"name":"v","configMap":{"name":"app"}}""");
        Assert.Equal(["a.conf", "b.conf", "bin"], files.Keys.Order().ToArray());
        Assert.Equal(("ay", 420), files["a.conf"]);
        Assert.Equal("\0\u0001\u0002", files["bin"].Text);
    }

    [Fact]
    public void Items_choose_keys_paths_and_modes_and_default_mode_applies_to_the_rest()
    {
        var files = Files("""{"name":"v","configMap":{"name":"app","defaultMode":256,"items":[{"key":"a.conf","path":"conf/first.conf","mode":384},{"key":"b.conf","path":"second"}]}}""");
        Assert.Equal(("ay", 384), files["conf/first.conf"]);
        Assert.Equal(("bee", 256), files["second"]);
        Assert.Equal(2, files.Count);
    }

    [Fact]
    public void A_secret_is_decoded()
    {
        Assert.Equal(("s3cret", 420), Files("""{"name":"v","secret":{"secretName":"db"}}""")["password"]);
    }

    [Fact]
    public void Missing_objects_and_keys_fail_with_kubelets_messages_unless_optional()
    {
        Assert.Equal("configmap \"nope\" not found", Assert.Throws<VolumeSetupException>(() => Files("""{"name":"v","configMap":{"name":"nope"}}""")).Message);
        Assert.Equal("secret \"nope\" not found", Assert.Throws<VolumeSetupException>(() => Files("""{"name":"v","secret":{"secretName":"nope"}}""")).Message);
        Assert.Equal("configmap references non-existent config key: zz", Assert.Throws<VolumeSetupException>(() => Files("""{"name":"v","configMap":{"name":"app","items":[{"key":"zz","path":"z"}]}}""")).Message);
        Assert.Empty(Files("""{"name":"v","configMap":{"name":"nope","optional":true}}"""));
        Assert.Empty(Files("""{"name":"v","secret":{"secretName":"db","optional":true,"items":[{"key":"zz","path":"z"}]}}"""));
    }

    [Fact]
    public void The_downward_api_writes_the_pods_fields_labels_as_sorted_quoted_lines()
    {
        var files = Files("""{"name":"v","downwardAPI":{"items":[{"path":"name","fieldRef":{"fieldPath":"metadata.name"}},{"path":"ns","fieldRef":{"fieldPath":"metadata.namespace"}},{"path":"uid","fieldRef":{"fieldPath":"metadata.uid"}},{"path":"labels","fieldRef":{"fieldPath":"metadata.labels"},"mode":256},{"path":"annotations","fieldRef":{"fieldPath":"metadata.annotations"}},{"path":"tier","fieldRef":{"fieldPath":"metadata.labels['tier']"}}]}}""");
        Assert.Equal("web", files["name"].Text);
        Assert.Equal("shop", files["ns"].Text);
        Assert.Equal("u-1", files["uid"].Text);
        Assert.Equal(("app=\"web\"\ntier=\"front\"", 256), files["labels"]);
        Assert.Equal("note=\"say \\\"hi\\\"\"", files["annotations"].Text);
        Assert.Equal("front", files["tier"].Text);
    }

    [Fact]
    public void A_projected_volume_merges_its_sources_under_its_default_mode()
    {
        var files = Files("""{"name":"v","projected":{"defaultMode":288,"sources":[{"configMap":{"name":"app","items":[{"key":"a.conf","path":"a"}]}},{"secret":{"name":"db"}},{"downwardAPI":{"items":[{"path":"pod","fieldRef":{"fieldPath":"metadata.name"}}]}}]}}""");
        Assert.Equal(("ay", 288), files["a"]);
        Assert.Equal(("s3cret", 288), files["password"]);
        Assert.Equal(("web", 288), files["pod"]);
        Assert.Equal([new VolumeObjectRef("ConfigMap", "app"), new VolumeObjectRef("Secret", "db")], VolumeProjection.Sources(Json("""{"projected":{"sources":[{"configMap":{"name":"app"}},{"secret":{"name":"db"}}]}}""")));
    }

    [Fact]
    public void A_path_escaping_the_volume_is_refused()
    {
        Assert.Throws<VolumeSetupException>(() => Files("""{"name":"v","configMap":{"name":"app","items":[{"key":"a.conf","path":"../../etc/passwd"}]}}"""));
    }
}
