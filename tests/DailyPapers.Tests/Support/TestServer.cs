using DailyPapers.Web;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace DailyPapers.Tests.Support;

/// <summary>The real app on Kestrel at a free loopback port, over a real database.</summary>
public sealed class TestServer : IAsyncDisposable
{
    public TestDatabase Database { get; }
    public WebApplication App { get; }
    public Uri BaseAddress { get; }
    public HttpClient Client { get; }

    private TestServer(TestDatabase db, WebApplication app, Uri baseAddress)
    {
        Database = db;
        App = app;
        BaseAddress = baseAddress;
        Client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = baseAddress };
    }

    public static async Task<TestServer> StartAsync(string engine, Action<WebApplicationBuilder>? configure = null)
    {
        var db = await TestDatabase.CreateAsync(engine);
        var app = ServerApp.Create(db.Settings, ["--urls", "http://127.0.0.1:0", "--environment", "Production"], b =>
        {
            b.Logging.SetMinimumLevel(LogLevel.Warning);
            // Tests never reach arXiv: the background harvest stays off unless a test switches it on.
            b.Configuration["Harvest:Enabled"] = "false";
            configure?.Invoke(b);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestServer(db, app, new Uri(address.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        await Database.DisposeAsync();
    }
}
