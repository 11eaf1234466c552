<?xml version="1.0" encoding="UTF-8"?>
<!-- Shows any RSS 2.0 or Atom feed of the site as a Vietnamese page: what a feed is, how to
     follow it, and its latest items. Browsers apply it through <?xml-stylesheet?>; feed readers
     ignore it. -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="UTF-8" indent="yes"
      doctype-system="about:legacy-compat"/>

  <xsl:variable name="title" select="/rss/channel/title | /atom:feed/atom:title"/>
  <xsl:variable name="description" select="/rss/channel/description | /atom:feed/atom:subtitle"/>
  <xsl:variable name="page" select="/rss/channel/link | /atom:feed/atom:link[@rel='alternate']/@href"/>
  <xsl:variable name="self" select="/rss/channel/atom:link[@rel='self']/@href | /atom:feed/atom:link[@rel='self']/@href"/>

  <xsl:template match="/">
    <html lang="vi">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title>Nguồn tin: <xsl:value-of select="$title"/></title>
        <style>
          :root { --text: #1b1b1b; --muted: #505a5f; --brand: #a4161a; --link: #0b4f9c; --surface: #f4f2ee; --border: #b1b4b6; --focus: #ffdd00; }
          body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif; font-size: 1.0625rem; line-height: 1.6; color: var(--text); background: #fff; }
          .td-feed { max-width: 48rem; margin: 0 auto; padding: 1rem; }
          .td-feed__brand { border-top: 6px solid var(--brand); padding-top: 0.5rem; font-weight: 700; }
          .td-feed__about { background: var(--surface); border-left: 4px solid var(--brand); padding: 0.5rem 1rem; margin: 1rem 0 1.5rem; }
          .td-feed__url { display: block; overflow-wrap: anywhere; background: #fff; border: 1px solid var(--border); padding: 0.25rem 0.5rem; font-family: ui-monospace, monospace; }
          .td-feed__items { list-style: none; padding: 0; }
          .td-feed__item { border-bottom: 1px solid var(--border); padding: 0.75rem 0; }
          .td-feed__item h3 { margin: 0 0 0.25rem; font-size: 1.125rem; }
          .td-feed__date { color: var(--muted); font-size: 0.9375rem; }
          a { color: var(--link); }
          a:focus { outline: 3px solid var(--focus); background: var(--focus); color: #0b0c0c; }
        </style>
      </head>
      <body>
        <div class="td-feed">
          <p class="td-feed__brand"><a href="/">Trang chủ</a></p>
          <main>
            <h1><xsl:value-of select="$title"/></h1>
            <p><xsl:value-of select="$description"/></p>
            <section class="td-feed__about" aria-labelledby="td-feed-what">
              <h2 id="td-feed-what">Nguồn tin RSS là gì?</h2>
              <p>Đây là <strong>nguồn tin (RSS/Atom)</strong>: một địa chỉ để phần mềm đọc tin tự động nhận tin mới của trang, không cần đăng ký tài khoản hay để lại thông tin cá nhân.</p>
              <p>Để theo dõi, chép địa chỉ dưới đây rồi dán vào ứng dụng đọc tin (ví dụ Feedly, Inoreader, NetNewsWire, Thunderbird):</p>
              <code class="td-feed__url"><xsl:value-of select="$self"/></code>
              <p>Muốn đọc tin trên trình duyệt? <a href="{$page}">Xem trang tin</a>.</p>
            </section>
            <h2>Tin mới nhất</h2>
            <ul class="td-feed__items">
              <xsl:apply-templates select="/rss/channel/item | /atom:feed/atom:entry"/>
            </ul>
          </main>
        </div>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="item">
    <li class="td-feed__item">
      <h3><a href="{link}"><xsl:value-of select="title"/></a></h3>
      <p class="td-feed__date">
        <xsl:call-template name="rss-date"><xsl:with-param name="date" select="pubDate"/></xsl:call-template>
      </p>
      <p><xsl:value-of select="description"/></p>
    </li>
  </xsl:template>

  <xsl:template match="atom:entry">
    <li class="td-feed__item">
      <h3><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h3>
      <p class="td-feed__date">
        <xsl:variable name="date" select="atom:published | atom:updated[not(../atom:published)]"/>
        <xsl:value-of select="concat(substring($date, 9, 2), '/', substring($date, 6, 2), '/', substring($date, 1, 4))"/>
      </p>
      <p><xsl:value-of select="atom:summary"/></p>
    </li>
  </xsl:template>

  <!-- "Mon, 01 Sep 2025 00:00:00 +0700" → "01/09/2025" -->
  <xsl:template name="rss-date">
    <xsl:param name="date"/>
    <xsl:variable name="month" select="substring($date, 9, 3)"/>
    <xsl:value-of select="substring($date, 6, 2)"/>
    <xsl:text>/</xsl:text>
    <xsl:value-of select="format-number(string-length(substring-before('JanFebMarAprMayJunJulAugSepOctNovDec', $month)) div 3 + 1, '00')"/>
    <xsl:text>/</xsl:text>
    <xsl:value-of select="substring($date, 13, 4)"/>
  </xsl:template>
</xsl:stylesheet>
