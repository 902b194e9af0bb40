using Microsoft.Extensions.FileProviders;

namespace DailyPapers.Bench;

/// <summary>Kestrel serving one folder of static files: the baseline a dynamic page is compared with.</summary>
internal static class StaticServer
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: static FOLDER URL");
            return 2;
        }
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = ["--urls", args[1]] });
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(Path.GetFullPath(args[0])) });
        await app.RunAsync();
        return 0;
    }
}
