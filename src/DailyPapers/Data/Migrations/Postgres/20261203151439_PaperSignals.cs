using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DailyPapers.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PaperSignals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "AiKeywords",
                table: "papers",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AiSummary",
                table: "papers",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "CuratedSource",
                table: "papers",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "Featured",
                table: "papers",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "GithubRepo",
                table: "papers",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "GithubStars",
                table: "papers",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "HfComments",
                table: "papers",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "HfSubmitter",
                table: "papers",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "HfUpvotes",
                table: "papers",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "Organization",
                table: "papers",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "OrganizationName",
                table: "papers",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ProjectPage",
                table: "papers",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "Submitted",
                table: "papers",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "AiKeywords",
                table: "hf_daily_entries",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AiSummary",
                table: "hf_daily_entries",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "OrganizationName",
                table: "hf_daily_entries",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Submitter",
                table: "hf_daily_entries",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);
            // Existing instances: the signals already recorded (HF history, submissions) carry over at once.
            migrationBuilder.Sql("""
                UPDATE papers SET
                  "CuratedSource" = EXISTS (SELECT 1 FROM hf_daily_entries h WHERE h."ArxivId" = papers."ArxivId"),
                  "HfUpvotes" = COALESCE((SELECT MAX(h."Upvotes") FROM hf_daily_entries h WHERE h."ArxivId" = papers."ArxivId"), 0),
                  "HfComments" = COALESCE((SELECT MAX(h."NumComments") FROM hf_daily_entries h WHERE h."ArxivId" = papers."ArxivId"), 0),
                  "GithubStars" = (SELECT h."GithubStars" FROM hf_daily_entries h WHERE h."ArxivId" = papers."ArxivId" AND h."GithubStars" IS NOT NULL ORDER BY h."ListDate" DESC LIMIT 1),
                  "GithubRepo" = (SELECT h."GithubRepo" FROM hf_daily_entries h WHERE h."ArxivId" = papers."ArxivId" AND h."GithubRepo" IS NOT NULL ORDER BY h."ListDate" DESC LIMIT 1),
                  "ProjectPage" = (SELECT h."ProjectPage" FROM hf_daily_entries h WHERE h."ArxivId" = papers."ArxivId" AND h."ProjectPage" IS NOT NULL ORDER BY h."ListDate" DESC LIMIT 1),
                  "Organization" = (SELECT h."Organization" FROM hf_daily_entries h WHERE h."ArxivId" = papers."ArxivId" AND h."Organization" IS NOT NULL ORDER BY h."ListDate" DESC LIMIT 1),
                  "Submitted" = EXISTS (SELECT 1 FROM submissions s WHERE s."PaperId" = papers."Id")
                WHERE EXISTS (SELECT 1 FROM hf_daily_entries h WHERE h."ArxivId" = papers."ArxivId")
                   OR EXISTS (SELECT 1 FROM submissions s WHERE s."PaperId" = papers."Id")
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "AiKeywords",
                table: "papers");

            migrationBuilder.DropColumn(
                name: "AiSummary",
                table: "papers");

            migrationBuilder.DropColumn(
                name: "CuratedSource",
                table: "papers");

            migrationBuilder.DropColumn(
                name: "Featured",
                table: "papers");

            migrationBuilder.DropColumn(
                name: "GithubRepo",
                table: "papers");

            migrationBuilder.DropColumn(
                name: "GithubStars",
                table: "papers");

            migrationBuilder.DropColumn(
                name: "HfComments",
                table: "papers");

            migrationBuilder.DropColumn(
                name: "HfSubmitter",
                table: "papers");

            migrationBuilder.DropColumn(
                name: "HfUpvotes",
                table: "papers");

            migrationBuilder.DropColumn(
                name: "Organization",
                table: "papers");

            migrationBuilder.DropColumn(
                name: "OrganizationName",
                table: "papers");

            migrationBuilder.DropColumn(
                name: "ProjectPage",
                table: "papers");

            migrationBuilder.DropColumn(
                name: "Submitted",
                table: "papers");

            migrationBuilder.DropColumn(
                name: "AiKeywords",
                table: "hf_daily_entries");

            migrationBuilder.DropColumn(
                name: "AiSummary",
                table: "hf_daily_entries");

            migrationBuilder.DropColumn(
                name: "OrganizationName",
                table: "hf_daily_entries");

            migrationBuilder.DropColumn(
                name: "Submitter",
                table: "hf_daily_entries");
        }
    }
}
