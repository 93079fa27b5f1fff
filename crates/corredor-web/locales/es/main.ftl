# Las páginas de corredor en español. Cada mensaje de este archivo debe existir también en
# ../en/main.ftl (una prueba compara los dos conjuntos de identificadores). Las palabras
# siguen el glosario: «irregular» describe la forma de entrar, nunca a la persona.

## Sitio y navegación

site-name = corredor
site-tagline = Flujos migratorios irregulares en el corredor de Colombia a los Estados Unidos
skip-to-content = Ir al contenido
nav-label = Navegación principal
nav-picture = Panorama situacional
nav-api = API (JSON)
language-switch-label = Idioma
language-en = English
language-es = Español

## El panorama situacional

picture-title = Panorama situacional del corredor
picture-intro = El corredor desde Colombia, por Panamá (Darién), Costa Rica, Nicaragua, Honduras, Guatemala y México, hasta los Estados Unidos: los últimos conteos informados por cada país y la tendencia de las principales nacionalidades.
picture-map-heading = El corredor en el mapa
picture-map-title = Mapa del corredor de Colombia a los Estados Unidos
picture-map-description = Contornos de los países, con los países miembros de la Conferencia Regional sobre Migración sombreados; la ruta del corredor en orden; y los lugares donde se hacen los conteos, como círculos proporcionales a su último conteo.
picture-map-legend-member = País miembro de la Conferencia Regional sobre Migración
picture-map-legend-route = Ruta del corredor
picture-map-legend-place = Lugar donde se hacen los conteos (área del círculo: último conteo)
picture-map-route-title = Ruta del corredor: { $route }
picture-latest-heading = Últimos conteos
picture-latest-by-country = Últimos conteos por país
picture-latest-by-place = Últimos conteos por lugar
picture-trend-heading = Tendencia de las principales nacionalidades
picture-trend-chart-title = { $measure } en { $country }, por nacionalidad
picture-trend-chart-description = Conteos mensuales de { $measure } en { $country } para { $count ->
        [one] la nacionalidad principal
       *[other] las { $count } nacionalidades principales
    }, de { $from } a { $to }.
picture-no-corridor = Todavía no hay ningún corredor definido.

## Medidas (corredor_core::Measure)

measure-irregular_entry = Ingresos irregulares
measure-encounter = Encuentros
measure-stranded = Personas varadas
measure-asylum_application = Solicitudes de asilo
measure-return_executed = Retornos ejecutados
measure-returnee_received = Personas retornadas recibidas
measure-shelter_occupancy = Ocupación de albergues
measure-shelter_capacity = Capacidad de albergues

## Flujos, población presente, eventos

kind-flow = Flujo
kind-flow-explanation = Un flujo cuenta movimientos durante un período; puede sumarse a lo largo del tiempo.
kind-stock = Población presente
kind-stock-explanation = Cuenta a las personas presentes en un momento; nunca se suma a lo largo del tiempo.
unit-people = personas
unit-events = eventos, no personas
unit-events-explanation = La misma persona se cuenta de nuevo en cada punto del corredor, y a veces dos veces en un mismo punto: sumar los conteos de varios puntos da eventos, no personas.

## Períodos

period-day = Día
period-week = Semana
period-month = Mes
period-year = Año
period-latest = Último período
period-year-before = Un año antes
period-change = Variación interanual
period-range = { $from } a { $to }

## Tablas

table-country = País
table-place = Lugar
table-measure = Medida
table-period = Período
table-count = Conteo
table-nationality = Nacionalidad
table-trend = Tendencia
table-transit-days = Días típicos desde el país anterior

## Gráficos y mapas

chart-axis-count = Conteo
chart-axis-period = Período
chart-legend = Leyenda
chart-expected-band = Rango esperado
chart-signal = Señal
chart-signal-title = Señal: { $period }, { $value }
chart-point-title = { $series }, { $period }: { $value }
no-data = Sin datos
no-data-explanation = Ningún país ha informado datos sobre esto todavía.

## Pie de página

footer-attribution = Datos: conteos publicados por las autoridades migratorias de los países del corredor, compilados por corredor. Contornos de los países: Natural Earth (dominio público).
footer-sources = Fuentes
footer-about = corredor es el sistema compartido de monitoreo y alerta temprana de los países de la Conferencia Regional sobre Migración.

## Páginas de error

error-back-home = Volver al panorama situacional
error-not-found-title = Página no encontrada
error-not-found-body = No hay ninguna página en esta dirección. Revise la dirección o vuelva a empezar desde el panorama situacional.
error-bad-request-title = No se pudo entender la solicitud
error-bad-request-body = Algo en la dirección o en el formulario no es válido: { $reason }
error-internal-title = Algo falló de nuestro lado
error-internal-body = No se pudo mostrar la página. Inténtelo de nuevo más tarde; si sigue ocurriendo, comunique a la Secretaría Técnica esta referencia: { $request_id }.
error-unavailable-title = Servicio no disponible
error-unavailable-body = corredor no puede responder en este momento. Inténtelo de nuevo en unos minutos.

## Names the pages compose
nationality-unknown = Nacionalidad desconocida u otra
nationality-stateless = Apátrida
map-national-total = total nacional

## Reporting completeness
nav-completeness = Reportes
completeness-title = Completitud de los reportes
completeness-intro = Para cada país y medida: los períodos que debe reportar (cada período de su granularidad habitual desde su primer reporte hasta el último que ha terminado), y si cada uno se reportó a tiempo, con retraso o no se reportó. Un reporte llega a tiempo cuando llega dentro del plazo de gracia tras el fin del período.
completeness-caption = Completitud de los reportes por país y medida
completeness-country = País
completeness-measure = Medida
completeness-granularity = Reporta por
completeness-on-time = A tiempo
completeness-late = Con retraso
completeness-missing = Faltantes
completeness-due = Pendientes
completeness-last = Último reportado
completeness-missing-recent = Últimos períodos faltantes
completeness-none = Ningún país ha reportado todavía.
granularity-day = día
granularity-week = semana
granularity-month = mes
granularity-year = año

## Pronósticos
nav-forecasts = Pronósticos
forecasts-title = Llegadas esperadas
forecasts-intro = Cuántas llegadas puede esperar cada país del corredor en los próximos meses, por nacionalidad, para que albergues, equipos de salud y oficiales de protección estén listos antes de que lleguen las personas. Las llegadas a un país se pronostican a partir de las personas contadas en los países anteriores, con el tiempo de tránsito habitual y la proporción que continúa, más las llegadas propias del país. Los pronósticos se rehacen después de cada importación.
forecasts-skill-explanation = Cada pronóstico se guarda y se evalúa cuando llega el conteo real. «Acierto hasta ahora» indica cuánto confiar en él: un MASE menor que 1 significa que acertó más que repetir el conteo del año anterior; el rango del 80 % debería contener unos 8 conteos de cada 10.
forecasts-none = Todavía no hay pronósticos: un país necesita unos tres años de conteos mensuales.
forecasts-origin = A partir de los conteos hasta { $period }.
forecasts-notes = Países sin pronóstico, y por qué
forecasts-observed = Contado
forecasts-expected = Esperado
forecasts-lower95 = Rango del 95 %, límite inferior
forecasts-upper95 = Rango del 95 %, límite superior
forecasts-interval80 = Rango del 80 %
forecasts-skill = Acierto hasta ahora
forecasts-skill-none = Aún sin evaluar
forecasts-skill-summary = MASE { $value } ({ $count ->
    [one] { $count } pronóstico evaluado
   *[other] { $count } pronósticos evaluados
})
forecasts-skill-coverage = { $value } % dentro del rango del 80 %
forecasts-skill-baseline = Referencia ETS: MASE { $value }
forecasts-all-nationalities = Todas las nacionalidades
forecasts-chart-title = { $measure } en { $country }: contado y esperado
forecasts-chart-description = Conteos mensuales en { $country } de los dos últimos años y, después, los conteos esperados de los próximos meses con el rango que debería contener el conteo real 8 veces de cada 10 (sombreado) y 19 de cada 20 (líneas finas).
forecasts-table-caption = Llegadas esperadas en { $country } por nacionalidad
forecasts-table-note = En cada celda: el conteo esperado y, debajo, el rango que debería contener el conteo real 8 veces de cada 10.
forecasts-picture-heading = Llegadas esperadas
forecasts-picture-caption = Llegadas esperadas el próximo periodo, por país
forecasts-picture-link = Todos los pronósticos, por nacionalidad y mes
forecasts-capacity-heading = Capacidad de los albergues
forecasts-capacity-explanation = Dónde el extremo superior del rango del 80 % de las llegadas esperadas, sumado a las personas ya albergadas, supera las plazas que informó un albergue. Las llegadas de un mes se cuentan como si todas estuvieran presentes a la vez, y a un albergue que no cuenta llegadas se le atribuyen todas las llegadas de su país: cada línea es un aviso para verificar, no una certeza.
forecasts-capacity-none = No se espera que ningún albergue se quede sin plazas.
forecasts-capacity-caption = Albergues donde las llegadas esperadas superarían la capacidad
forecasts-arrivals-upper80 = Llegadas (80 % superior)
forecasts-occupancy = Albergadas ahora
forecasts-capacity = Plazas
forecasts-excess = Faltan

## Señales (aumentos repentinos hallados por el análisis)
nav-signals = Aumentos repentinos
signals-title = Aumentos repentinos
signals-intro = Series cuyas cifras recientes superan lo que su propia historia hace plausible, halladas por el análisis que se ejecuta tras cada reporte. Una señal no es todavía una alerta: un analista del país dueño de la serie la verifica y registra si se descartó (un artefacto, como un rezago en los reportes), queda en seguimiento o se escaló a alerta migratoria.
signals-none = No se halló ningún aumento repentino en los periodos analizados.
signals-corridor = Corredor { $route } (eventos, no personas)
signals-all-nationalities = todas las nacionalidades
signals-chart-description = Cifras de la serie (línea), el rango que el detector esperaba según la historia de la serie (sombreado, del valor esperado al umbral) y los periodos por encima del umbral (marcas).
signals-observed = Registrado
signals-expected = Esperado
signals-bound = Umbral
signals-score = Puntuación
signals-period = Periodo
signals-series = Serie
signals-algorithm = Algoritmo
signals-outcome = Resultado
signals-outcome-open = Abierta
signals-outcome-discarded = Descartada
signals-outcome-monitoring = En seguimiento
signals-outcome-escalated = Escalada
signals-table-caption = Señales de los periodos mostrados, de mayor a menor exceso sobre el umbral
signals-table-note = Puntuación: cuánto se acerca la cifra al umbral; más de 1 significa que lo supera. Farrington Flexible compara un periodo con la misma época de años anteriores; EARS C2, con los siete periodos previos a un intervalo de dos, para series demasiado cortas para Farrington.
signals-statistics-heading = Con qué frecuencia cada algoritmo da falsas alarmas
signals-statistics-explanation = La proporción de señales decididas que los analistas descartaron como artefactos, por algoritmo.
signals-statistics-caption = Señales y decisiones por algoritmo
signals-count = Señales
signals-discarded-share = Descartadas
signals-not-decided = Ninguna decidida aún
signals-picture-heading = Aumentos repentinos
signals-picture-none = Ninguna señal de aumento repentino abierta.
signals-picture-line = { $value } registrados
signals-picture-bound = por encima del umbral de { $value }
signals-picture-link = Todos los aumentos repentinos, con sus gráficos y evidencia

## Cuentas
account-signed-in-as = Sesión iniciada como
account-sign-in = Iniciar sesión
account-sign-out = Cerrar sesión
role-administrator = administración
role-focal-point = punto focal
role-analyst = analista
role-observer = observador
sign-in-title = Iniciar sesión
sign-in-intro = Los puntos focales, analistas y observadores inician sesión con el nombre y la contraseña que les dio la Secretaría Técnica. Sin iniciar sesión solo se ve lo que los países publican, con los conteos pequeños ocultos.
sign-in-name = Nombre de usuario
sign-in-password = Contraseña
sign-in-submit = Iniciar sesión
sign-in-failed = El nombre de usuario o la contraseña no son correctos.
sign-in-throttled = Demasiados intentos fallidos. Espere un minuto antes de volver a intentarlo.
sign-in-expired-form = El formulario había expirado. Inicie sesión de nuevo.
form-token-missing = el formulario se envió sin su código de seguridad (puede haber expirado): recargue la página e inténtelo de nuevo
signals-decide-heading = Registrar el resultado de verificar esta señal
signals-decide-reason = Por qué (qué se verificó, con quién)
signals-decide-submit = Registrar la decisión

## Las cifras pequeñas se ocultan a observadores y a lectores sin sesión.
suppressed-below-threshold = <5
suppressed-below-threshold-explanation = Menos de 5: las cifras pequeñas no se muestran, para que nadie pueda ser identificado.
suppressed-hidden-explanation = oculto para que no se puedan deducir cifras pequeñas

## Compartir
nav-sharing = Compartir
sharing-title = Quién lee los datos de cada país
sharing-intro = Cada país es dueño de sus datos y elige, medida por medida, quién más los lee. Su propio personal siempre los lee; nadie más puede cambiarlos.
sharing-level = Compartido con
sharing-level-private = Solo el país
sharing-level-named-members = Países miembros nombrados
sharing-level-all-members = Todos los países miembros
sharing-level-members-and-observers = Miembros y observadores
sharing-level-public = Todos
sharing-level-private-explanation = Solo los puntos focales y analistas del propio país los leen.
sharing-level-named-members-explanation = El país y los países miembros que nombra.
sharing-level-all-members-explanation = Todos los países miembros y la Secretaría Técnica: el nivel de una medida para la que nadie eligió.
sharing-level-members-and-observers-explanation = Miembros, la Secretaría Técnica y organizaciones observadoras como la OIM y el ACNUR, con los conteos pequeños mostrados como <5 a los observadores.
sharing-level-public-explanation = Cualquiera, con o sin sesión: estadísticas que el país ya publica, con los conteos pequeños mostrados como <5.
sharing-choose = Elegir quién lee los datos de { $country }
sharing-named-members = Países miembros nombrados
sharing-save = Guardar
sharing-none = Ningún país ha elegido todavía: cada medida se comparte con todos los países miembros.
sharing-table-caption = Las elecciones de los países
sharing-country = País
sharing-measure = Medida
sharing-default-note = Una medida que no figura se comparte con todos los países miembros.
completeness-sign-in = La completitud de los reportes se muestra a cada país para sus propios reportes y a la Secretaría Técnica para todos.

## Alertas
nav-alerts = Alertas
alerts-title = Alertas migratorias
alerts-intro = Avisos que los países se envían sobre un flujo numeroso en la ruta: quiénes lo componen, dónde está, cuándo se espera, qué garantiza cada país a las personas que lo integran.
alerts-none = No hay ninguna alerta que usted pueda ver.
alerts-issue-link = Emitir una alerta
alerts-table-caption = Las alertas que usted puede ver, las más recientes primero
alerts-col-headline = Alerta
alerts-col-state = Estado
alerts-col-issuer = Emitida por
alerts-col-stage = Etapa
alerts-col-people = Personas estimadas
alerts-col-recipients = Destinatarios
alerts-col-windows = Llegada prevista
alerts-acknowledged-mark = ✓ acusó recibo
alerts-not-yet = aún no acusa recibo
alerts-no-window = sin ventana
alerts-window = del { $from } al { $to }
alerts-map-heading = Dónde están las alertas activas
alerts-map-title = Mapa de las alertas activas
alerts-map-description = Cada triángulo numerado es el lugar donde se informó el flujo de una alerta activa, con su área cuando se trazó una; los países rayados son los destinatarios de las alertas. La tabla de abajo dice lo mismo en palabras.
alerts-map-none = No hay ninguna alerta activa: el mapa no se dibuja.
alert-map-addressed = destinatario de una alerta activa
alert-map-legend-addressed = País destinatario de una alerta activa
alert-map-legend-alert = Dónde está el flujo de una alerta (numerada como en la lista)
alert-map-legend-area = Área de la alerta
alerts-map-list-caption = Las alertas activas del mapa
alerts-levels-heading = Niveles de alerta de los países del corredor
alerts-levels-caption = El nivel de cada país, el nivel al que lo elevan sus alertas y lo que ese nivel obliga
alerts-levels-none = Nadie ha fijado un nivel y no hay alertas activas: todos los países están en el nivel normal.
alerts-levels-col-country = País o lugar
alerts-levels-col-set = Nivel fijado
alerts-levels-col-effective = Nivel vigente
alerts-levels-col-required = Lo que obliga
alerts-levels-nothing = nada más de lo habitual
alerts-stranded-heading = Poblaciones varadas
alerts-stranded-caption = Personas que no pueden seguir ni volver, y dónde están
alerts-stranded-none = No hay ninguna población varada registrada que usted pueda ver.
alerts-stranded-col-where = Dónde
alerts-stranded-col-people = Personas estimadas
alerts-stranded-col-by = Estimación de
alerts-stranded-col-shelter = Albergue: capacidad / ocupación
alerts-stranded-col-state = Situación del albergue
alerts-stranded-overcrowded = Sobrepasado: { $count } personas sin plaza de albergue
alerts-stranded-within = Dentro de su capacidad
alerts-stranded-no-shelter = sin cifras de albergue
alert-state-draft = Borrador
alert-state-active = Activa
alert-state-closed = Cerrada
alert-state-cancelled = Cancelada
alert-stage-forming = En formación
alert-stage-in-transit = En tránsito
alert-stage-at-border = En la frontera
alert-stage-dispersed = Dispersado
alert-level-normal = Normal
alert-level-elevated = Elevado
alert-level-high = Alto
alert-level-critical = Crítico
alert-direction-northbound = Hacia el norte
alert-direction-southbound = Hacia el sur
alert-action-humanitarian-assistance = Asistencia humanitaria
alert-action-health-care = Atención de salud
alert-action-protection-screening = Identificación de necesidades de protección
alert-action-asylum-referral = Referencia a procedimientos de asilo
alert-action-unaccompanied-children-care = Atención de niñas y niños no acompañados
alert-action-use-of-force-regulation = Regulación del uso de la fuerza
alert-action-voluntary-return-information = Información sobre retorno voluntario asistido
alert-status-guaranteed = Garantizada
alert-status-in-progress = En curso
alert-status-done = Realizada
alert-status-not-possible = No es posible
alert-detail-summary = Resumen
alert-detail-version = Versión { $count }
alert-detail-issuer = País emisor
alert-detail-state = Estado
alert-detail-stage = Etapa
alert-detail-route = Ruta
alert-detail-location = Dónde
alert-detail-area-place = lugar { $value }
alert-detail-area-circle = a menos de { $value } km de
alert-detail-area-polygon = un área de { $count } puntos
alert-detail-composition = Quiénes integran el flujo
alert-detail-composition-caption = Composición estimada del flujo
alert-detail-group = Grupo
alert-detail-count = Personas estimadas
alert-detail-unknown = no se sabe
alert-group-total = Todas las personas
alert-group-women = Mujeres
alert-group-children = Niñas y niños
alert-group-unaccompanied-children = Niñas y niños no acompañados
alert-group-pregnant-women = Mujeres embarazadas
alert-group-people-with-disabilities = Personas con discapacidad
alert-group-older-people = Personas mayores
alert-detail-nationalities = Nacionalidades
alert-detail-needs = Necesidades
alert-detail-needs-none = No se nombró ninguna necesidad.
alert-detail-text = El texto de la alerta
alert-detail-text-es = En español
alert-detail-text-en = En inglés
alert-detail-instruction = Lo que se pide a los destinatarios
alert-detail-overdue = No acusaron recibo a tiempo: { $value }
alert-detail-recipients = Destinatarios
alert-detail-recipients-caption = Los países a los que se dirige la alerta, su acuse de recibo y sus acciones
alert-detail-col-country = País
alert-detail-col-window = Llegada prevista
alert-detail-col-acknowledged = Acuse de recibo
alert-detail-col-actions = Acciones registradas
alert-detail-col-outstanding = Aún pendientes
alert-detail-acknowledged-by = ✓ por
alert-detail-overdue-mark = Atrasado: no acusó recibo a tiempo
alert-detail-added-by-issuer = agregado por el emisor
alert-detail-no-actions = ninguna aún
alert-detail-nothing-outstanding = nada
alert-detail-timeline = Cronología
alert-detail-timeline-empty = Aún no ha pasado nada.
alert-detail-by = por
alert-timeline-issued = Emitida
alert-timeline-version = Nueva versión
alert-timeline-draft = Redactada
alert-timeline-active = Enviada a los destinatarios
alert-timeline-closed = Cerrada
alert-timeline-cancelled = Cancelada
alert-timeline-recipient-added = Destinatario agregado
alert-timeline-acknowledged = Acuse de recibo
alert-timeline-action = Acción registrada
alert-timeline-reminder = Recordatorio: no acusó recibo a tiempo
alert-detail-back = Todas las alertas
alert-form-issuer-heading = Lo que puede hacer el país emisor
alert-form-recipient-heading = Lo que responde su país
alert-form-activate = Enviar la alerta a sus destinatarios
alert-form-close = Cerrar la alerta (el flujo pasó o se dispersó)
alert-form-cancel-heading = Cancelar la alerta
alert-form-cancel-reason = Por qué se cancela
alert-form-cancel = Cancelar la alerta
alert-form-add-recipient-heading = Dirigirla a un país más
alert-form-add-recipient = Agregar el país
alert-form-country = País
alert-form-acknowledge = Acusar recibo
alert-form-action-heading = Registrar una acción
alert-form-action = Acción
alert-form-status = Estado
alert-form-note = Nota (diga por qué cuando no es posible)
alert-form-record = Registrar
alert-form-update-heading = Actualizar la alerta (una nueva versión)
alert-form-what-changed = Qué cambió
alert-form-update = Enviar la actualización
alert-form-draft-update = Guardar el borrador
alerts-new-title = Emitir una alerta migratoria
alerts-new-intro = La alerta llega a los países que siguen en la ruta, cada uno con su ventana de llegada prevista. Escríbala en español, en inglés o en ambos.
alerts-new-errors = La alerta no se emitió. Corrija estos campos:
alerts-new-text-es = Texto en español
alerts-new-text-en = Texto en inglés
alerts-new-headline = Titular
alerts-new-description = Descripción
alerts-new-instruction = Lo que se pide a los destinatarios (opcional)
alerts-new-composition = Tamaño y composición del flujo
alerts-new-nationalities = Nacionalidades (código:personas, separadas por comas, p. ej. VEN:900, ECU:150)
alerts-new-location = Dónde está el flujo
alerts-new-place = Lugar
alerts-new-place-none = (ningún lugar: usar las coordenadas)
alerts-new-latitude = Latitud
alerts-new-longitude = Longitud
alerts-new-radius = Radio (km)
alerts-new-location-description = Descripción del lugar
alerts-new-route = Ruta
alerts-new-corridor = Corredor
alerts-new-direction = Dirección
alerts-new-stage = Etapa
alerts-new-needs = Necesidades
alerts-new-needs-note = Otras necesidades
alerts-new-seen-on = Día en que se vio el flujo (desde el que se cuentan las llegadas)
alerts-new-activate = Enviar ahora (si no, se guarda como borrador)
alerts-new-submit = Emitir la alerta
alerts-new-not-allowed = Solo los puntos focales de un país emiten alertas.
alert-error-number = { $value }: escriba un número entero de personas, 0 o más.
alert-error-required = { $value }: este dato es necesario.
alert-error-coordinate = { $value }: escriba un número en grados (con punto, como 8.43).
alert-error-nationalities = { $value }: escriba cada nacionalidad como un código de tres letras y un número, p. ej. VEN:900.
alert-error-date = { $value }: escriba una fecha como 2023-09-14.
alert-error-choice = { $value }: elija una de las opciones.
alert-error-location = { $value }: elija un lugar, o dé latitud, longitud y radio.
alert-live-new = Nueva alerta de { $country }: { $value }
alert-live-changed = Cambió la alerta de { $country }: { $value }
alert-live-open = Abrir la alerta
alert-live-reload = Recargar la página
nav-returns = Retornos
returns-title = Retornos voluntarios asistidos
returns-intro = Las operaciones de retorno entre un país de acogida y un país de origen, con sus salvaguardas, y las cifras de la región. Solo los dos países ven las referencias de los casos.
returns-operations-heading = Operaciones de su país
returns-none = Su país no acoge ni recibe ninguna operación de retorno.
returns-table-caption = Operaciones de retorno que su país acoge o recibe, las más recientes primero
returns-col-operation = Operación
returns-col-state = Estado
returns-col-route = Acogida → origen
returns-col-people = Personas
returns-col-date = Fecha prevista
returns-col-transport = Transporte
returns-col-points = Salida → recepción
returns-col-safeguards = Salvaguardas
returns-col-received = Recibidas (diferencia)
returns-col-operations = Operaciones
returns-col-planned = Personas previstas
returns-col-received-people = Personas recibidas
returns-aggregates-heading = Retornos en la región
returns-aggregates-none = Aún no hay operaciones de retorno propuestas en la región.
returns-aggregates-caption = Retornos por país de acogida y país de origen
returns-aggregates-suppressed = Las cifras de 1 a { $count } se muestran como «<{ $count }» para que nadie pueda ser identificado.
returns-territories-link = Territorios de origen: retornados, reintegración y prevención
return-number = Operación { $value }
return-back = Todas las operaciones de retorno
return-state-draft = Borrador
return-state-proposed = Propuesta
return-state-accepted = Aceptada
return-state-rescheduled = Reprogramada
return-state-declined = Rechazada
return-state-departed = En camino
return-state-received = Recibida
return-state-closed = Cerrada
return-state-cancelled = Cancelada
return-step-draft = Borrador
return-step-record-safeguards = Salvaguardas registradas
return-step-propose = Propuesta
return-step-accept = Aceptación
return-step-reschedule = Reprogramación
return-step-decline = Rechazo
return-step-depart = Salida
return-step-receive = Recepción
return-step-close = Cierre
return-step-cancel = Cancelación
return-step-anonymise = Anonimización
return-transport-air = Aéreo
return-transport-land = Terrestre
return-transport-sea = Marítimo
return-need-health = Salud
return-need-documents = Documentos
return-need-shelter = Albergue
return-need-onward-transport = Transporte hasta el lugar de origen
return-safeguard-not-recorded = No hay salvaguardas registradas
return-safeguard-informed-consent = Consentimiento informado
return-safeguard-non-refoulement = No devolución (solicitud de protección pendiente)
return-safeguard-best-interest-determination = Determinación del interés superior
return-missing-people = { $count ->
    [one] 1 persona
   *[other] { $count } personas
} en { $value } caso(s)
return-missing-children = { $count ->
    [one] 1 niña o niño
   *[other] { $count } niñas y niños
} sin determinación, en { $value } caso(s)
return-safeguards-complete = Completas
return-sex-f = Mujeres
return-sex-m = Hombres
return-sex-x = Otro sexo
return-sex-unknown = Sexo desconocido
return-age = Edad { $value }
return-age-unknown = Edad desconocida
return-group-people = Personas
return-group-unaccompanied = Niñas y niños no acompañados
return-group-separated = Niñas y niños separados
return-group-family-units = Unidades familiares
return-group-in-families = Personas en unidades familiares
return-group-specific-needs = Personas con necesidades específicas
return-detail-summary = Resumen
return-detail-host = País de acogida
return-detail-origin = País de origen
return-detail-departure = Punto de salida
return-detail-reception-point = Punto de recepción
return-detail-difference-words = Diferencia entre recibidas y previstas: { $value } personas
return-detail-composition = Composición del grupo
return-detail-composition-caption = Grupo previsto y, una vez recibido, grupo recibido
return-detail-group = Grupo
return-detail-planned = Previsto
return-detail-received = Recibido
return-detail-difference = Diferencia
return-detail-by-territory = Recibidas por territorio
return-detail-reception-note = Nota de la recepción
return-detail-confirmed-by = Recepción confirmada por
return-detail-needs = Lo que debe preparar la recepción
return-detail-needs-none = Nada en particular.
return-detail-safeguards = Salvaguardas
return-detail-safeguard-totals = { $count ->
    [one] 1 caso
   *[other] { $count } casos
}, { $value } personas informadas y conformes; registradas
return-detail-by = por
return-detail-cases = Referencias de los casos
return-detail-history = Historial
return-forms-heading = Pasos de la operación
return-form-accept = Aceptar para la fecha prevista
return-form-reschedule-heading = Aceptar para otra fecha
return-form-new-date = Nueva fecha
return-form-reason = Motivo
return-form-reschedule = Reprogramar
return-form-decline-heading = Rechazar el retorno
return-form-decline = Rechazar
return-form-receive-heading = Confirmar la recepción
return-form-receive-intro = Escriba las cifras realmente recibidas; se muestran las previstas.
return-form-by-territory = Por territorio de destino (código:personas, separados por comas, p. ej. GT-SM:4, GT-HU:2)
return-form-note = Nota
return-form-receive = Confirmar la recepción
return-form-depart = El grupo salió
return-form-close = Cerrar la operación
return-form-cancel-heading = Cancelar la operación
return-form-cancel = Cancelar
return-service-identity-documents = Documentos de identidad
return-service-health-care = Atención de salud
return-service-psychosocial-support = Apoyo psicosocial
return-service-job-referral = Derivación a empleo
return-service-job-placement = Con empleo
return-service-education = Educación
return-service-cash-or-in-kind-support = Apoyo en efectivo o en especie
return-follow-up-3-months = A los 3 meses
return-follow-up-6-months = A los 6 meses
return-follow-up-12-months = A los 12 meses
return-provider-government = gobierno
return-provider-private-sector = sector privado
return-provider-civil-society = sociedad civil
return-provider-international-organisation = organismo internacional
programme-type-livelihoods = Medios de vida
programme-type-vocational-training = Formación profesional
programme-type-education = Educación
programme-type-community-development = Desarrollo comunitario
programme-type-safe-migration-information = Información sobre migración segura
programme-type-child-protection = Protección de la niñez
programme-type-other = Otro
territories-title = Territorios de origen: { $country }
territories-back = Retornos
territories-intro = Por división de primer nivel: personas retornadas recibidas por mes, resultados de su reintegración y programas de prevención en curso.
territories-suppressed = Las cifras de 1 a 4 se muestran como «<5», y el total de un territorio se oculta cuando uno de sus meses lo está.
territories-none = Aún no hay retornados, registros de reintegración ni programas en los territorios de este país.
territories-hidden = oculto
territories-received-heading = Retornados recibidos
territories-received-caption = Personas retornadas recibidas por territorio y mes
territories-col-territory = Territorio
territories-col-total = Total
territories-outcomes-heading = Reintegración
territories-outcomes-caption = Resultados de reintegración por territorio y seguimiento
territories-outcomes-note = Los porcentajes son sobre las personas con seguimiento, no sobre todas las retornadas.
territories-col-follow-up = Seguimiento
territories-col-returnees = Retornados
territories-col-followed-up = Con seguimiento
territories-programmes-heading = Programas de prevención en curso
territories-programmes-caption = Programas de prevención activos hoy
territories-programmes-none = No hay programas de prevención activos registrados.
territories-col-programme = Programa
territories-col-run-by = A cargo de
territories-col-type = Tipo
territories-col-beneficiaries = Beneficiarios
territories-col-period = Periodo
territories-without-territory = Recibidos sin territorio registrado
returns-picture-heading = Retornos
returns-picture-in-progress = Operaciones en curso
returns-picture-people = { $count ->
    [one] 1 persona
   *[other] { $count } personas
}
returns-picture-received = Personas retornadas recibidas, último mes
returns-picture-year = { $value } en { $count ->
    [one] el último mes
   *[other] los últimos { $count } meses
}
returns-picture-none = Aún no se comparte con usted ninguna cifra de personas retornadas recibidas.
returns-picture-link = Retornos voluntarios asistidos y territorios de origen
return-new-link = Proponer un retorno
return-new-title = Una nueva operación de retorno
return-new-intro = Prepare el retorno de un grupo a su país de origen. El borrador es solo suyo hasta que lo proponga; antes de proponerlo, registre las salvaguardas de cada caso en la página de la operación.
return-new-forbidden = Solo el punto focal de un país prepara una operación de retorno.
return-form-point-other = Otro punto (descríbalo abajo)
return-form-point-description = O describa el punto
return-form-errors = El borrador no se guardó: corrija los campos siguientes.
return-form-draft = Guardar el borrador
return-form-safeguards-heading = Salvaguardas de cada caso
return-form-cases = Casos, uno por línea
return-form-cases-hint = Escriba primero la referencia, luego las personas (people), las informadas que consintieron (consented), "no claim" o las solicitudes de protección pendientes (claims), los niños no acompañados o separados (children) y una referencia y fecha por determinación del interés superior, p. ej.
return-form-case-ref-hint = La referencia es seudónima: derívela de su número de caso en sus propios sistemas, con la clave de su país, con
return-form-safeguards = Registrar las salvaguardas
return-form-propose-intro = Proponer envía la operación al país de origen; se rechaza mientras falte alguna salvaguarda.
return-form-propose = Proponer al país de origen
territories-forms-heading = Informar por su país
territories-form-record-heading = Un registro de reintegración
territories-form-cohort-month = Mes en que se recibió a las personas retornadas
territories-form-services = Personas alcanzadas por cada servicio, y quién lo prestó
territories-form-provider-unknown = Proveedor desconocido
territories-form-record = Registrar
territories-form-programme-heading = Un programa de prevención
territories-form-run-by-kind = Tipo de organización
territories-form-from = Desde
territories-form-to = Hasta (vacío mientras funcione)
territories-form-programme = Registrar el programa

## Territorios de origen: el mapa de divisiones de primer nivel
territories-map-heading = Mapa de personas retornadas recibidas
territories-map-title = Personas retornadas recibidas por división de primer nivel: { $country }
territories-map-description = Cada división de primer nivel de { $country } está sombreada según las personas retornadas que recibió { $period }: más oscuro es más. Cada división enlaza con su fila en la tabla bajo el mapa, que da las mismas cifras en palabras.
territories-map-period = de { $from } a { $to }
territories-map-none = ninguna registrada
territories-map-fewer = menos de { $count }
territories-map-at-least = al menos { $count }
territories-map-withheld = oculto
territories-map-legend-none = Ninguna registrada
territories-map-legend-range = { $from } a { $to }
territories-map-legend-withheld = Oculto (un mes con menos de 5)
territories-map-attribution = Límites: Natural Earth (dominio público). Los municipios se cuentan en su división.
territories-map-no-geometry = corredor aún no tiene los límites de las divisiones de primer nivel de este país, así que no hay mapa; la tabla da las cifras.
territories-map-caption = Personas retornadas recibidas por división de primer nivel
territories-map-col-division = División
territories-map-col-code = Código
territories-map-col-received = Personas retornadas recibidas
territories-map-period-none = (aún no hay ninguna registrada)
territories-map-years = Año que muestra el mapa
territories-map-all-months = Todos los meses
territories-form-cohort = Cohorte: el mes en que se recibió a las personas retornadas, o su operación de retorno
territories-form-cohort-operation = Operación de retorno (su número)
