extern alias PbmClient;
using PbmClient::Orchestrator.CommandHost;
using PbmClient::Orchestrator.Pbm.Grammar;

namespace Orchestrator.Pbm.Tests.Grammar;

public sealed class PaletteCommandTreeTests
{
    private static readonly SwitchDefinition Address = new("address", "a", "Member address.");

    private static readonly PaletteCommandTree Tree = new(
    [
        new PaletteDefinition("cluster", "Cluster membership.",
        [
            new CommandDefinition("show", "Members.", [SwitchDefinition.Output]),
            new CommandDefinition("down", "Downs a member.", [Address with { IsRequired = true }], IsMutating: true),
            new CommandDefinition("leave", "Leaves.", [Address], IsMutating: true),
            new CommandDefinition("tail", "Streams events.", [], IsStreaming: true),
        ]),
        new PaletteDefinition("cluster-sharding", "Sharding.",
        [
            new CommandDefinition("region-stats", "Region stats.",
            [
                new SwitchDefinition("region", "r", "Type name.", IsRequired: true),
                new SwitchDefinition("verbose", "v", "Entity ids.", IsFlag: true),
            ]),
        ]),
    ]);

    [Fact]
    public void Long_and_short_switches_give_values_by_long_name()
    {
        var byShort = Assert.IsType<ParsedCommand>(Tree.Parse(["cluster", "down", "-a", "akka.tcp://sys@10.0.0.5:4053"]));
        var byLong = Assert.IsType<ParsedCommand>(Tree.Parse(["cluster", "down", "--address", "akka.tcp://sys@10.0.0.5:4053"]));

        Assert.Equal("cluster", byShort.Palette);
        Assert.Equal("down", byShort.Command);
        Assert.Equal("akka.tcp://sys@10.0.0.5:4053", byShort.Arguments["address"]);
        Assert.Equal(byShort.Arguments, byLong.Arguments);
    }

    [Fact]
    public void Flags_travel_as_true_and_absent_switches_are_left_out()
    {
        var parsed = Assert.IsType<ParsedCommand>(Tree.Parse(["cluster-sharding", "region-stats", "-r", "pods", "-v"]));

        Assert.Equal(new Dictionary<string, string> { ["region"] = "pods", ["verbose"] = "true" }, parsed.Arguments);
        Assert.Empty(Assert.IsType<ParsedCommand>(Tree.Parse(["cluster", "leave"])).Arguments);
    }

    [Fact]
    public void Double_quotes_keep_a_value_with_spaces_together()
    {
        var words = PaletteCommandTree.SplitLine("cluster-sharding region-stats -r \"my region\"  -v");

        Assert.Equal(["cluster-sharding", "region-stats", "-r", "my region", "-v"], words);
        var parsed = Assert.IsType<ParsedCommand>(Tree.Parse(words));
        Assert.Equal("my region", parsed.Arguments["region"]);
    }

    [Theory]
    [InlineData("cluster down -a 'x y'", "x y")]
    [InlineData("cluster down -a \"say \\\"hi\\\"\"", "say \"hi\"")]
    [InlineData("cluster down --address=a:1", "a:1")]
    public void Quoting_in_typed_lines(string line, string expected)
    {
        var parsed = Assert.IsType<ParsedCommand>(Tree.Parse(PaletteCommandTree.SplitLine(line)));

        Assert.Equal(expected, parsed.Arguments["address"]);
    }

    [Theory]
    [InlineData("a 'b", "single")]
    [InlineData("a \"b", "double")]
    public void An_unterminated_quote_is_an_error(string line, string kind)
    {
        Assert.False(LineSplitter.TrySplit(line, out _, out var error));
        Assert.Contains(kind, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("  a   b  ", new[] { "a", "b" })]
    [InlineData("a\\ b c", new[] { "a b", "c" })]
    [InlineData("''", new[] { "" })]
    [InlineData("x='1 2'", new[] { "x=1 2" })]
    [InlineData("", new string[0])]
    public void Lines_split_like_a_shell(string line, string[] expected)
    {
        Assert.True(LineSplitter.TrySplit(line, out var words, out _));
        Assert.Equal(expected, words);
    }

    [Fact]
    public void Allowed_values_are_enforced()
    {
        Assert.Equal("json", Assert.IsType<ParsedCommand>(Tree.Parse(["cluster", "show", "-o", "json"])).Arguments["output"]);

        var failed = Assert.IsType<ParseFailed>(Tree.Parse(["cluster", "show", "-o", "xml"]));
        Assert.Contains("xml", failed.Message, StringComparison.Ordinal);
        Assert.Contains("Usage: cluster show [-o|--output table|json]", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_palette_lists_the_known_ones()
    {
        var failed = Assert.IsType<ParseFailed>(Tree.Parse(["clustr", "show"]));

        Assert.Equal("unknown palette 'clustr'. Known palettes: cluster, cluster-sharding. Run 'pbm help' for more.", failed.Message);
    }

    [Fact]
    public void Unknown_command_lists_the_palette_commands()
    {
        var failed = Assert.IsType<ParseFailed>(Tree.Parse(["cluster", "shw"]));

        Assert.Equal("palette 'cluster' has no command 'shw'. Its commands: show, down, leave, tail.", failed.Message);
    }

    [Fact]
    public void A_palette_without_command_names_its_commands()
    {
        var failed = Assert.IsType<ParseFailed>(Tree.Parse(["cluster"]));

        Assert.Contains("needs a command: show, down, leave, tail", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_required_switch_shows_the_usage()
    {
        var failed = Assert.IsType<ParseFailed>(Tree.Parse(["cluster", "down"]));

        Assert.Contains("--address", failed.Message, StringComparison.Ordinal);
        Assert.Contains("Usage: cluster down -a|--address <value>", failed.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cluster", "show", "--bogus", "x")]
    [InlineData("cluster", "tail", "-z", "1")]
    public void Unknown_switches_are_refused(params string[] words)
    {
        var failed = Assert.IsType<ParseFailed>(Tree.Parse(words));

        Assert.Contains(words[2], failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_switch_without_its_value_is_refused()
    {
        var failed = Assert.IsType<ParseFailed>(Tree.Parse(["cluster", "down", "-a"]));

        Assert.Contains("Usage: cluster down", failed.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "help" }, null, null)]
    [InlineData(new[] { "--help" }, null, null)]
    [InlineData(new[] { "help", "cluster" }, "cluster", null)]
    [InlineData(new[] { "help", "cluster", "down" }, "cluster", "down")]
    [InlineData(new[] { "cluster", "help" }, "cluster", null)]
    [InlineData(new[] { "cluster", "down", "-h" }, "cluster", "down")]
    [InlineData(new[] { "cluster", "down", "--help" }, "cluster", "down")]
    public void Help_can_be_asked_for_everywhere(string[] words, string? palette, string? command)
    {
        var help = Assert.IsType<HelpRequested>(Tree.Parse(words));

        Assert.Equal(palette, help.Palette);
        Assert.Equal(command, help.Command);
    }

    [Theory]
    [InlineData("", new[] { "cluster", "cluster-sharding", "exit", "help" })]
    [InlineData("clu", new[] { "cluster", "cluster-sharding" })]
    [InlineData("cluster-", new[] { "cluster-sharding" })]
    [InlineData("he", new[] { "help" })]
    [InlineData("cluster ", new[] { "down", "leave", "show", "tail" })]
    [InlineData("cluster d", new[] { "down" })]
    [InlineData("cluster down --a", new[] { "--address" })]
    [InlineData("cluster show -o ", new[] { "json", "table" })]
    [InlineData("cluster show -o j", new[] { "json" })]
    public void Completion_offers_palettes_commands_switches_and_values(string line, string[] expected)
    {
        Assert.Equal(expected, Tree.Complete(line, ["help", "exit"]));
    }

    [Fact]
    public void Usage_marks_optional_switches()
    {
        var palette = Tree.FindPalette("cluster-sharding")!;

        Assert.Equal("cluster-sharding region-stats -r|--region <value> [-v|--verbose]",
            PaletteCommandTree.Usage(palette, palette.Commands[0]));
    }
}
