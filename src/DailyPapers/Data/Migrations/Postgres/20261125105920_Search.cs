using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DailyPapers.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Search : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "paper_embeddings",
                columns: table => new
                {
                    PaperId = table.Column<long>(type: "bigint", nullable: false),
                    Model = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    TextHash = table.Column<long>(type: "bigint", nullable: false),
                    PaperSequence = table.Column<long>(type: "bigint", nullable: false),
                    Vector = table.Column<byte[]>(type: "bytea", nullable: false),
                    ComputedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_paper_embeddings", x => new { x.PaperId, x.Model });
                    table.ForeignKey(
                        name: "FK_paper_embeddings_papers_PaperId",
                        column: x => x.PaperId,
                        principalTable: "papers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_paper_embeddings_Model_ComputedAt",
                table: "paper_embeddings",
                columns: new[] { "Model", "ComputedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "paper_embeddings");
        }
    }
}
