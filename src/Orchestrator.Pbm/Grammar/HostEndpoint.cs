using System.Globalization;

namespace Orchestrator.Pbm.Grammar;

/// <summary>Where the command host listens: <c>host:port</c>, <c>[::1]:port</c>.</summary>
internal sealed record HostEndpoint(string Host, int Port)
{
    public const int DefaultPort = 9110;

    /// <summary>127.0.0.1:9110, where pbm connects when no address is given.</summary>
    public static HostEndpoint Default { get; } = new("127.0.0.1", DefaultPort);

    /// <summary>
    /// True when <paramref name="token"/> is meant as an address: it has a colon and is no switch.
    /// Palette names never contain a colon, so this cannot take a palette for an address.
    /// </summary>
    public static bool LooksLikeEndpoint(string token) =>
        !string.IsNullOrEmpty(token) && !token.StartsWith('-') && token.Contains(':', StringComparison.Ordinal);

    /// <summary>Parses <c>host:port</c> or <c>[ipv6]:port</c>; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(string text, out HostEndpoint? endpoint, out string? error)
    {
        endpoint = null;
        error = null;
        string host;
        string portText;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= text.Length || text[close + 1] != ':')
            {
                error = $"'{text}' is not a valid address: write an IPv6 address as [::1]:{DefaultPort}.";
                return false;
            }
            host = text[1..close];
            portText = text[(close + 2)..];
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon != text.IndexOf(':', StringComparison.Ordinal))
            {
                error = $"'{text}' is not a valid address: write an IPv6 address in brackets, as [::1]:{DefaultPort}.";
                return false;
            }
            host = text[..colon];
            portText = text[(colon + 1)..];
        }

        if (host.Length == 0)
        {
            error = $"'{text}' is not a valid address: the host is missing (expected host:port, e.g. 127.0.0.1:{DefaultPort}).";
            return false;
        }
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            error = $"'{text}' is not a valid address: the port '{portText}' is not a number between 1 and 65535.";
            return false;
        }
        endpoint = new HostEndpoint(host, port);
        return true;
    }

    public override string ToString() =>
        Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
