using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orchestrator.CommandHost;
using Orchestrator.Pbm.Tests.Host;

namespace Orchestrator.Pbm.Tests.Integration;

/// <summary>The wiring documented on <see cref="CommandHostService"/>, in a generic host, driven by pbm.</summary>
public sealed class CommandHostWiringTests
{
    [Fact]
    public async Task AddCommandHost_after_AddAkka_serves_the_built_in_and_registered_palettes()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddAkka("pbm-wiring", akka => akka.AddHocon(SingleNodeCluster.ClusterConfig(), HoconAddMode.Prepend));
        builder.Services.AddCommandHost(settings => settings.WithPort(0));
        builder.Services.AddSingleton<ICommandPalette, FakePalette>();
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var port = host.Services.GetRequiredService<CommandHostService>().Server.BoundEndpoint!.Port;

            var help = await PbmProcess.RunAsync([$"127.0.0.1:{port}", "help"]);
            var echo = await PbmProcess.RunAsync([$"127.0.0.1:{port}", "fake", "echo", "-m", "wired \"and\" quoted"]);

            Assert.True(help.ExitCode == 0, help.ToString());
            Assert.Matches(@"(?m)^cluster\s", help.StandardOutput);
            Assert.Matches(@"(?m)^cluster-sharding\s", help.StandardOutput);
            Assert.Matches(@"(?m)^fake\s+Test palette\.", help.StandardOutput);
            Assert.True(echo.ExitCode == 0, echo.ToString());
            Assert.Equal("wired \"and\" quoted", echo.StandardOutput);
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
