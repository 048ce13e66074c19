using System.Net;
using Akka.Actor;
using Akka.Configuration;

namespace Orchestrator.CommandHost;

/// <summary>
/// Where the command host listens and where its token comes from, read once from the
/// <c>orchestrator.command-host</c> HOCON section (defaults in this project's embedded
/// <c>reference.conf</c>, which documents every key).
/// </summary>
/// <param name="Hostname">Address to bind: an IP address or a resolvable host name.</param>
/// <param name="Port">TCP port; 0 picks a free one.</param>
/// <param name="TokenFile">File holding the token; empty to fall back to <see cref="Token"/>.</param>
public sealed record CommandHostSettings(string Hostname, int Port, string TokenFile)
{
    /// <summary>The HOCON path of the section these settings are read from.</summary>
    public const string ConfigPath = "orchestrator.command-host";

    /// <summary>The environment variable pbm reads the token from; the node process maps it to <see cref="Token"/>.</summary>
    public const string TokenEnvironmentVariable = "ORCHESTRATOR_TOKEN";

    /// <summary>The token itself, when <see cref="TokenFile"/> is empty (the node sets it from ORCHESTRATOR_TOKEN); empty: none.</summary>
    public string Token { get; init; } = "";

    /// <summary>The defaults of the embedded <c>reference.conf</c>.</summary>
    public static Config DefaultConfig { get; } =
        ConfigurationFactory.FromResource<CommandHostSettings>("Orchestrator.CommandHost.reference.conf");

    /// <summary>Reads the settings from an ActorSystem's configuration, falling back to the defaults.</summary>
    public static CommandHostSettings Create(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return Create(system.Settings.Config);
    }

    /// <summary>Reads the settings from a configuration, falling back to the defaults.</summary>
    public static CommandHostSettings Create(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var section = config.WithFallback(DefaultConfig).GetConfig(ConfigPath);
        var port = section.GetInt("port");
        if (port is < 0 or > 65535)
            throw new ConfigurationException($"{ConfigPath}.port must be between 0 and 65535, was {port}.");
        var hostname = section.GetString("hostname");
        if (string.IsNullOrWhiteSpace(hostname))
            throw new ConfigurationException($"{ConfigPath}.hostname must not be empty.");
        return new CommandHostSettings(hostname, port, section.GetString("token-file") ?? "") { Token = section.GetString("token", "") ?? "" };
    }

    public CommandHostSettings WithHostname(string hostname) => this with { Hostname = hostname };

    public CommandHostSettings WithPort(int port) => this with { Port = port };

    public CommandHostSettings WithTokenFile(string tokenFile) => this with { TokenFile = tokenFile };

    public CommandHostSettings WithToken(string token) => this with { Token = token };

    /// <summary>Resolves <see cref="Hostname"/> to the address to bind.</summary>
    public async Task<IPAddress> ResolveBindAddressAsync(CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(Hostname, out var address))
            return address;
        if (string.Equals(Hostname, "localhost", StringComparison.OrdinalIgnoreCase))
            return IPAddress.Loopback;
        var addresses = await Dns.GetHostAddressesAsync(Hostname, cancellationToken);
        return addresses.FirstOrDefault()
               ?? throw new ConfigurationException($"{ConfigPath}.hostname '{Hostname}' resolves to no address.");
    }

    /// <summary>
    /// The token clients must present: the first token line of <see cref="TokenFile"/> when set,
    /// otherwise <see cref="Token"/>; null when neither gives one.
    /// </summary>
    public string? ReadToken()
    {
        var token = TokenFile.Length > 0 ? ReadTokenFile(TokenFile) : Token;
        token = token.Trim();
        return string.IsNullOrEmpty(token) ? null : token;
    }

    private static string ReadTokenFile(string path)
    {
        try
        {
            // The API's token file format: one token a line, blank lines and # comments ignored.
            // The command host accepts the file's first token.
            return File.ReadAllLines(path).Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith('#')) ?? "";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"{ConfigPath}.token-file '{path}' cannot be read: {e.Message}", e);
        }
    }

    /// <summary>Never prints a token; the file's path is fine to show.</summary>
    public override string ToString() =>
        $"CommandHostSettings {{ Hostname = {Hostname}, Port = {Port}, TokenFile = {(TokenFile.Length > 0 ? TokenFile : "(none)")}, Token = {(Token.Length > 0 ? "(set)" : "(none)")} }}";
}
