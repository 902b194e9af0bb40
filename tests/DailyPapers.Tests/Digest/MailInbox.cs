using System.Net.Http.Json;
using System.Text.Json;
using MimeKit;

namespace DailyPapers.Tests.Digest;

/// <summary>Reads what the shared smtp4dev server received for one address (every test uses its own addresses).</summary>
public static class MailInbox
{
    public static int SmtpPort => int.Parse(Environment.GetEnvironmentVariable("DAILYPAPERS_TEST_SMTP_PORT") ?? "2525");
    public static string Api => (Environment.GetEnvironmentVariable("DAILYPAPERS_TEST_SMTP_API") ?? "http://127.0.0.1:5099").TrimEnd('/');

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public static string NewAddress(string tag) => $"{tag}-{Guid.NewGuid():N}@digest-test.example";

    /// <summary>The raw messages delivered to the address, oldest first.</summary>
    public static async Task<List<MimeMessage>> ForAsync(string address)
    {
        var list = await Http.GetFromJsonAsync<JsonElement>($"{Api}/api/messages?searchTerms={Uri.EscapeDataString(address)}&pageSize=500");
        var ids = list.GetProperty("results").EnumerateArray()
            .Where(m => m.GetProperty("to").EnumerateArray().Any(t => string.Equals(t.GetString(), address, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(m => m.GetProperty("receivedDate").GetDateTime())
            .Select(m => m.GetProperty("id").GetString()!)
            .ToList();
        var result = new List<MimeMessage>();
        foreach (var id in ids)
        {
            await using var raw = await Http.GetStreamAsync($"{Api}/api/messages/{id}/raw");
            var buffer = new MemoryStream();
            await raw.CopyToAsync(buffer);
            buffer.Position = 0;
            result.Add(await MimeMessage.LoadAsync(buffer));
        }
        return result;
    }

    /// <summary>Waits until the address has at least <paramref name="count"/> messages (delivery to smtp4dev is asynchronous to its API).</summary>
    public static async Task<List<MimeMessage>> WaitForAsync(string address, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var got = await ForAsync(address);
            if (got.Count >= count || DateTime.UtcNow > deadline) return got;
            await Task.Delay(200);
        }
    }

    public static async Task<string> RawAsync(string address)
    {
        var list = await Http.GetFromJsonAsync<JsonElement>($"{Api}/api/messages?searchTerms={Uri.EscapeDataString(address)}&pageSize=500");
        var id = list.GetProperty("results").EnumerateArray().Select(m => m.GetProperty("id").GetString()!).First();
        return await Http.GetStringAsync($"{Api}/api/messages/{id}/raw");
    }
}
