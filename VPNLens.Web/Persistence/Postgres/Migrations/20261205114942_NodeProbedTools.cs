using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace VPNLens.Web.Persistence.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class NodeProbedTools : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "ProbedAt",
                table: "Nodes",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<List<string>>(
                name: "ProbedTools",
                table: "Nodes",
                type: "text[]",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ProbedAt",
                table: "Nodes");

            migrationBuilder.DropColumn(
                name: "ProbedTools",
                table: "Nodes");
        }
    }
}
