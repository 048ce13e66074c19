using Akka.Configuration;
using Orchestrator.CommandHost;

namespace Orchestrator.Pbm.Tests.Host;

public sealed class CommandHostSettingsTests
{
    [Fact]
    public void Defaults_come_from_the_embedded_reference_conf()
    {
        var settings = CommandHostSettings.Create(Config.Empty);

        Assert.Equal(new CommandHostSettings("127.0.0.1", 9110, ""), settings);
    }

    [Fact]
    public void Hocon_overrides_the_defaults()
    {
        var settings = CommandHostSettings.Create(ConfigurationFactory.ParseString(
            "orchestrator.command-host { hostname = 0.0.0.0, port = 9200, token-file = \"/run/secrets/token\" }"));

        Assert.Equal(new CommandHostSettings("0.0.0.0", 9200, "/run/secrets/token"), settings);
        Assert.Equal(9300, settings.WithPort(9300).Port);
    }

    [Fact]
    public void An_invalid_port_is_refused() =>
        Assert.Throws<ConfigurationException>(() =>
            CommandHostSettings.Create(ConfigurationFactory.ParseString("orchestrator.command-host.port = 70000")));

    [Fact]
    public void The_token_comes_from_the_file_first_then_the_token_key()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "  from-file\n");
            var withToken = CommandHostSettings.Create(ConfigurationFactory.ParseString("orchestrator.command-host.token = \"from-config\""));

            Assert.Equal("from-file", withToken.WithTokenFile(file).ReadToken());
            Assert.Equal("from-config", withToken.ReadToken());
            Assert.Null(new CommandHostSettings("127.0.0.1", 0, "").WithToken("  ").ReadToken());
            Assert.DoesNotContain("from-config", withToken.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void An_unreadable_token_file_names_the_setting_and_the_path()
    {
        var error = Assert.Throws<ConfigurationException>(() =>
            new CommandHostSettings("127.0.0.1", 0, "/nonexistent/pbm-token").ReadToken());

        Assert.Contains("orchestrator.command-host.token-file '/nonexistent/pbm-token' cannot be read", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Printing_the_settings_shows_no_token() =>
        Assert.DoesNotContain("secret", new CommandHostSettings("h", 1, "").ToString(), StringComparison.Ordinal);
}
